// Preloaded by outcome.test.ts (node --import): the first write to stdout throws a TypeError,
// standing for any bug deep inside a command.
process.stdout.write = () => {
  throw new TypeError('injected bug');
};
