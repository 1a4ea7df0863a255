"""Runs a command in a real pseudo-terminal, as a user's shell would, and types into it.

    python3 terminal.py STEPS_JSON COMMAND [ARG...]

STEPS_JSON is a list of {"wait": REGEX, "times": N, "type": TEXT}: once the terminal has shown
REGEX N times, TEXT is typed (a "\\u0003" is Ctrl-C: the terminal sends SIGINT to the whole
foreground process group). What the driver reads on its own stdin is typed too, as it comes.
Everything the terminal shows goes to stdout; the last line is `exit: code=C signal=S` (C or S
is "none").
"""
import json, os, pty, re, select, signal, sys

steps = json.loads(sys.argv[1])
pid, master = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])

seen = b''
typing = [sys.stdin.fileno()]
while True:
    try:
        ready, _, _ = select.select([master] + typing, [], [], 0.05)
        if typing and typing[0] in ready:
            typed = os.read(typing[0], 1024)
            if typed:
                os.write(master, typed)
            else:  # EOF: nothing more to type
                typing = []
        chunk = os.read(master, 65536) if master in ready else b''
    except OSError:  # EIO: every process holding the terminal has ended
        break
    if master in ready and not chunk:
        break
    seen += chunk
    sys.stdout.buffer.write(chunk)
    sys.stdout.flush()
    if steps and len(re.findall(steps[0]['wait'].encode(), seen)) >= steps[0].get('times', 1):
        os.write(master, steps.pop(0)['type'].encode())

_, status = os.waitpid(pid, 0)
code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 'none'
sig = signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status) else 'none'
print(f'\nexit: code={code} signal={sig}')
