// What the runner and a kernel say to each other (the README, "What a kernel speaks"), in one
// place: the image builders, QEMU's arguments, the serial capture and the parser all use it.

/** The Multiboot command-line word that tells a kernel the runner is there. */
export const RUNNER_CMDLINE = 'alloc-runner';

/** The kernel's serial line asking the runner to read its screen before it exits. */
export const HANDSHAKE_LINE = '# alloc-runner: screen ready';

/** What the runner sends to COM1 once it has read the screen: the kernel then exits. */
export const HANDSHAKE_REPLY = '\n';

/** Where the runner reads the kernel's text screen (QMP `pmemsave`): VGA's 80x25 cells of two bytes. */
export const VGA_TEXT_BUFFER = { address: 0xb8000, bytes: 80 * 25 * 2 } as const;

/** What the bundled kernel prints once the reply came. Like the handshake line, not part of any test. */
export const HANDSHAKE_ANSWERED_LINE = '# alloc-runner: handshake answered';
