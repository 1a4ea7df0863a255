#!/usr/bin/env node
// A stand-in for qemu-system-x86_64 that speaks QMP as QEMU does (greeting, commands with
// ids, events) and plays the scenario named by `-fake SCENARIO` among its arguments:
//   exit:N              prints a KTAP test, then exits with N (as isa-debug-exit does)
//   handshake           prints the screen handshake, waits for the reply, then exits with 33
//   shutdown:REASON     the guest shuts down (guest-reset: a triple fault under -no-reboot)
//   resets:N            the guest resets N times (a reboot loop, when reboots are allowed)
//   internal-error      prints a failed KTAP test; KVM stops the guest with an internal error, as QEMU says on stderr
//   kvm-fails-once      internal-error on the first boot of an image, exit:33 after it
//   print:LINE          prints LINE, then runs until stopped
//   hang                runs until stopped
//   killed              dies of SIGKILL, as if another process killed it
//   quit-early          exits 1 before connecting, with a message on stderr
// and answers --version as QEMU 7.2 does.
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';

const args = process.argv.slice(2);
if (args[0] === '--version') {
  // Asked only of a QEMU that failed to start.
  process.stdout.write('QEMU emulator version 7.2.0\n');
  process.exit(0);
}
const valueOf = (flag) => args[args.indexOf(flag) + 1];
let scenario = valueOf('-fake') ?? 'hang';
const chardev = args.find((arg) => arg.startsWith('socket,id=alloc-runner-qmp,path='));
const socketPath = chardev.slice('socket,id=alloc-runner-qmp,path='.length).replaceAll(',,', ',');
const image = valueOf('-kernel');

if (scenario === 'quit-early') {
  process.stderr.write('fake-qemu: this machine cannot be made\n');
  process.exit(1);
}
if (scenario === 'kvm-fails-once') {
  const booted = `${image}.booted`;
  scenario = existsSync(booted) ? 'exit:33' : 'internal-error';
  writeFileSync(booted, '');
}

let status = 'prelaunch';
const qmp = connect(socketPath);
const send = (message) => qmp.write(`${JSON.stringify(message)}\n`);
const emit = (event, data) => send({ event, data, timestamp: { seconds: 0, microseconds: 0 } });
const serial = (text) => new Promise((resolve) => process.stdout.write(text, resolve));

send({ QMP: { version: { qemu: { major: 7, minor: 2, micro: 0 } }, capabilities: [] } });
let buffered = '';
qmp.setEncoding('utf8');
qmp.on('data', (chunk) => {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, newline).trim();
    buffered = buffered.slice(newline + 1);
    if (line) void execute(JSON.parse(line));
  }
});

async function execute({ execute: command, arguments: input, id }) {
  const answer = (value = {}) => send({ return: value, id });
  switch (command) {
    case 'query-kvm':
      return answer({ enabled: false, present: false });
    case 'query-status':
      return answer({ status, running: status === 'running' });
    case 'pmemsave':
      writeFileSync(input.filename, screen('fake screen'));
      return answer();
    case 'screendump':
      writeFileSync(input.filename, 'not really a png');
      return answer();
    case 'stop':
      status = 'paused';
      emit('STOP');
      return answer();
    case 'quit':
      answer();
      emit('SHUTDOWN', { guest: false, reason: 'host-qmp-quit' });
      return setImmediate(() => process.exit(0));
    case 'cont':
      status = 'running';
      emit('RESUME');
      answer();
      return play();
    default:
      return answer();
  }
}

async function play() {
  const [name, value] = scenario.split(/:(.*)/s);
  if (name === 'exit') {
    await serial('KTAP version 1\n1..1\nok 1 fake\n');
    process.exit(Number(value));
  } else if (name === 'handshake') {
    await serial('KTAP version 1\n1..1\nok 1 fake\n# alloc-runner: screen ready\n');
    process.stdin.once('data', async () => {
      await serial('# alloc-runner: handshake answered\n');
      process.exit(33);
    });
  } else if (name === 'shutdown') {
    status = 'shutdown';
    emit('SHUTDOWN', { guest: true, reason: value });
    emit('STOP');
  } else if (name === 'resets') {
    for (let reset = 0; reset < Number(value); reset++) emit('RESET', { guest: true, reason: 'guest-reset' });
  } else if (name === 'internal-error') {
    await serial('KTAP version 1\n1..1\nnot ok 1 fake\n');
    process.stderr.write('KVM internal error. Suberror: 1\nemulation failure\n');
    status = 'internal-error';
    emit('STOP');
  } else if (name === 'print') {
    await serial(`${value}\n`);
  } else if (name === 'killed') {
    process.kill(process.pid, 'SIGKILL');
  }
}

/** A VGA text buffer (80x25 cells of character and attribute) showing `text` on its first row. */
function screen(text) {
  const buffer = Buffer.alloc(80 * 25 * 2);
  for (let cell = 0; cell < 80 * 25; cell++) buffer.writeUInt16LE(0x0700 | (text.charCodeAt(cell) || 0x20), cell * 2);
  return buffer;
}
