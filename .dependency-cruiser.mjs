// Which folder of src/ may import which (`npm run lint:deps`, part of `npm test`; the README,
// "Architecture"). The folders are the stages of one kernel's run, in the order it passes
// through them, then the layers that drive them: a folder may import the folders before it in
// this list, never one after it. Type-only imports count too: a type that two stages share
// belongs in src/model.ts.

/** Earliest first. */
export const STAGES = [
  'project', //  which Cargo.toml, and its [package.metadata] tables
  'build', //    Cargo builds the kernels
  'image', //    the image QEMU boots (GRUB, bootimage)
  'qemu', //     one boot: QEMU, QMP, the screen, how the boot ended
  'capture', //  what the boot brought back: serial lines with their times, the VGA text screen
  'parse', //    those lines into tests
  'verdict', //  the tests and the ending into a kernel's status
  'report', //   the results into each reporter's format
  'check', //    the places a run writes to, checked before anything boots
  'run', //      drives the stages for each kernel: the plan, the suite, the watch
  'options', //  the command line resolved into each stage's settings
  'commands', // one file per command
];

/** The files directly in src/ that every stage shares: they import one another only. cli.ts is the top, above commands. */
const SHARED = ['model', 'errors', 'protocol', 'environment', 'version', 'subprocess'];

const folder = (name) => `^src/${name}/`;
const anyOf = (names) => `^src/(${names.join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    ...STAGES.slice(0, -1).map((stage, index) => ({
      name: `${stage}-imports-a-later-stage`,
      comment: `${stage}/ comes before ${STAGES.slice(index + 1).join(', ')}: move what both need to the earlier one, or to src/model.ts`,
      severity: 'error',
      from: { path: folder(stage) },
      to: { path: anyOf(STAGES.slice(index + 1)) },
    })),
    {
      name: 'shared-imports-a-stage',
      comment: `${SHARED.map((name) => `src/${name}.ts`).join(', ')} are shared by every stage, so they import no stage (and not cli.ts)`,
      severity: 'error',
      from: { path: `^src/(${SHARED.join('|')})\\.ts$` },
      to: { path: '^src/', pathNot: `^src/(${SHARED.join('|')})\\.ts$` },
    },
    {
      name: 'stage-imports-cli',
      comment: 'src/cli.ts is the program: nothing imports it',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/cli\\.ts$' },
    },
    {
      name: 'unknown-place',
      comment: 'every file of src/ is in a stage of STAGES, is shared (SHARED) or is cli.ts: add a new folder or file to the list where it belongs',
      severity: 'error',
      from: { path: '^src/', pathNot: [anyOf(STAGES), `^src/(${[...SHARED, 'cli'].join('|')})\\.ts$`] },
      to: {},
    },
    {
      name: 'no-circular',
      comment: 'files that import one another, directly or through others',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import the check cannot follow would escape every rule above',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
