"""Runs a command in a real pseudo-terminal of a given size, and resizes it once on cue.

    python3 terminal-size.py COLUMNS [RESIZE_REGEX NEW_COLUMNS] -- COMMAND [ARG...]

The terminal starts COLUMNS wide (0 is a terminal that reports no size); once it has shown
RESIZE_REGEX it becomes NEW_COLUMNS wide, which sends SIGWINCH to the command, as a user
dragging the window does. Everything shown goes to stdout; the last line is `exit: code=C`.
"""
import fcntl, os, pty, re, select, struct, sys, termios

split = sys.argv.index('--')
columns = int(sys.argv[1])
resize = sys.argv[2:split]
command = sys.argv[split + 1:]

def set_size(fd, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24 if cols else 0, cols, 0, 0))

pid, master = pty.fork()
if pid == 0:
    set_size(sys.stdin.fileno(), columns)
    os.execvp(command[0], command)

seen = b''
while True:
    try:
        ready, _, _ = select.select([master], [], [], 0.05)
        chunk = os.read(master, 65536) if ready else b''
    except OSError:  # EIO: every process holding the terminal has ended
        break
    if ready and not chunk:
        break
    seen += chunk
    sys.stdout.buffer.write(chunk)
    sys.stdout.flush()
    if resize and re.search(resize[0].encode(), seen):
        set_size(master, int(resize[1]))
        resize = []

_, status = os.waitpid(pid, 0)
print(f'\nexit: code={os.WEXITSTATUS(status) if os.WIFEXITED(status) else "none"}')
