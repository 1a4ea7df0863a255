// What QEMU's QMP events say of the guest, as a pure reducer: the boot feeds it each event (and
// the answer to each status query it asked for), keeps the state and does the action.
import type { Ending } from '../model.js';
import type { QmpEvent } from './qmp.js';

/** How a guest ends by itself, as QMP tells it. */
export type GuestEnding = Extract<Ending, { kind: 'reset' | 'reboot-loop' | 'shutdown' | 'kvm-failed' }>;

export interface GuestState {
  /** Guest resets so far: reboots, when the QEMU arguments allow them (no -no-reboot). */
  resets: number;
  /** Whether the guest has run: a RESUME, after the runner's `cont` or a debugger's `continue`. */
  resumed: boolean;
  /** How the guest ended, once it did. */
  ending?: GuestEnding;
}

export const GUEST_PAUSED: GuestState = { resets: 0, resumed: false };

/** QEMU's answer to a `query-status` the reducer asked for. */
export interface StatusAnswer {
  status: string;
}

export type GuestAction =
  /** A STOP: ask QEMU's status, to tell KVM's internal error from a pause. */
  | { do: 'query-status' }
  /** The guest ended: read its screen (stopping the guest first when it still runs), then quit QEMU, or kill it. */
  | { do: 'end'; stopFirst: boolean; then: 'quit' | 'kill' }
  /** The guest runs for the first time. */
  | { do: 'resumed' };

/**
 * Resets after which a guest that keeps rebooting (when the QEMU arguments allow reboots)
 * is ended as a crash. SeaBIOS adds a reset of its own to each reboot: 10 is 5 boots.
 */
export const MAX_RESETS = 10;

/** The guest's state after `input`, and what the boot is to do about it. */
export function followGuest(state: GuestState, input: QmpEvent | StatusAnswer): { state: GuestState; action?: GuestAction } {
  if (!('event' in input)) {
    if (input.status !== 'internal-error') return { state };
    return { state: { ...state, ending: { kind: 'kvm-failed', message: 'KVM stopped the guest with an internal error' } }, action: { do: 'end', stopFirst: false, then: 'kill' } };
  }
  const { event, data } = input;
  // The runner's own `stop` (a timeout, a decision) asks too: its answer is a pause.
  if (event === 'STOP') return { state, action: { do: 'query-status' } };
  if (event === 'RESUME') return state.resumed ? { state } : { state: { ...state, resumed: true }, action: { do: 'resumed' } };
  if (data?.guest !== true) return { state };
  if (event === 'RESET' && !state.ending) {
    // Counted only when the QEMU arguments turned -no-reboot back into reboots: else a reset is a SHUTDOWN.
    const resets = state.resets + 1;
    if (resets < MAX_RESETS) return { state: { ...state, resets } };
    return { state: { ...state, resets, ending: { kind: 'reboot-loop', resets } }, action: { do: 'end', stopFirst: true, then: 'quit' } };
  }
  if (event === 'SHUTDOWN') {
    // Under -no-reboot a reset (a triple fault, too) becomes a shutdown; the guest is now paused.
    const reason = String(data.reason ?? 'unknown');
    const ending: GuestEnding = reason === 'guest-reset' ? { kind: 'reset' } : { kind: 'shutdown', reason };
    return { state: { ...state, ending }, action: { do: 'end', stopFirst: false, then: 'quit' } };
  }
  return { state };
}
