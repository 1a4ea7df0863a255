import { describe, expect, it } from 'vitest';
import { followGuest, GUEST_PAUSED, MAX_RESETS, type GuestAction, type GuestState, type StatusAnswer } from '../../src/qemu/guest-events.js';
import type { QmpEvent } from '../../src/qemu/qmp.js';

/** Feeds the inputs in order; the state at the end and every action on the way. */
function follow(inputs: Array<QmpEvent | StatusAnswer>): { state: GuestState; actions: GuestAction[] } {
  let state = GUEST_PAUSED;
  const actions: GuestAction[] = [];
  for (const input of inputs) {
    const next = followGuest(state, input);
    state = next.state;
    if (next.action) actions.push(next.action);
  }
  return { state, actions };
}

const guestReset: QmpEvent = { event: 'RESET', data: { guest: true, reason: 'guest-reset' } };
const readAndQuit: GuestAction = { do: 'end', stopFirst: false, then: 'quit' };

describe('the guest as QMP events tell', () => {
  it('a shutdown for a guest reset (a triple fault under -no-reboot) is a reset: read the screen, then quit', () => {
    expect(follow([{ event: 'SHUTDOWN', data: { guest: true, reason: 'guest-reset' } }])).toEqual({ state: { resets: 0, resumed: false, ending: { kind: 'reset' } }, actions: [readAndQuit] });
  });

  it('a shutdown for any other reason of the guest is a shutdown, with its reason', () => {
    expect(follow([{ event: 'SHUTDOWN', data: { guest: true, reason: 'guest-shutdown' } }]).state.ending).toEqual({ kind: 'shutdown', reason: 'guest-shutdown' });
    expect(follow([{ event: 'SHUTDOWN', data: { guest: true } }]).state.ending).toEqual({ kind: 'shutdown', reason: 'unknown' });
  });

  it("the runner's own quit is no ending", () => {
    expect(follow([{ event: 'SHUTDOWN', data: { guest: false, reason: 'host-qmp-quit' } }])).toEqual({ state: GUEST_PAUSED, actions: [] });
  });

  it(`counts resets of the guest; at ${MAX_RESETS} it is a reboot loop: stop the guest, read the screen, quit`, () => {
    const nine = follow(Array<QmpEvent>(MAX_RESETS - 1).fill(guestReset));
    expect(nine).toEqual({ state: { resets: MAX_RESETS - 1, resumed: false }, actions: [] });
    const ten = follow([...Array<QmpEvent>(MAX_RESETS).fill(guestReset), guestReset, { event: 'RESET', data: { guest: false } }]);
    expect(ten).toEqual({ state: { resets: MAX_RESETS, resumed: false, ending: { kind: 'reboot-loop', resets: MAX_RESETS } }, actions: [{ do: 'end', stopFirst: true, then: 'quit' }] });
  });

  it('resets of the host (a QMP system_reset) are not counted', () => {
    expect(follow(Array<QmpEvent>(MAX_RESETS).fill({ event: 'RESET', data: { guest: false } })).state).toEqual(GUEST_PAUSED);
  });

  it("a STOP asks QEMU's status; an internal error is KVM's failure: read the screen, then kill QEMU", () => {
    expect(follow([{ event: 'STOP' }])).toEqual({ state: GUEST_PAUSED, actions: [{ do: 'query-status' }] });
    expect(follow([{ event: 'STOP' }, { status: 'internal-error' }])).toEqual({
      state: { ...GUEST_PAUSED, ending: { kind: 'kvm-failed', message: 'KVM stopped the guest with an internal error' } },
      actions: [{ do: 'query-status' }, { do: 'end', stopFirst: false, then: 'kill' }],
    });
  });

  it('a STOP for any other status (a pause, a shutdown) is nothing', () => {
    expect(follow([{ event: 'STOP' }, { status: 'paused' }, { status: 'shutdown' }])).toEqual({ state: GUEST_PAUSED, actions: [{ do: 'query-status' }] });
  });

  it('the first RESUME is the guest running: said once', () => {
    expect(follow([{ event: 'RESUME' }, { event: 'STOP' }, { status: 'paused' }, { event: 'RESUME' }])).toEqual({ state: { resets: 0, resumed: true }, actions: [{ do: 'resumed' }, { do: 'query-status' }] });
  });
});
