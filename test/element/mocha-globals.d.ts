// The browser suite runs under Mocha (through @web/test-runner), which provides these globals.
// Declared here, narrowly, because the project has no @types/mocha.
type MochaDone = (error?: unknown) => void;
// biome-ignore lint/suspicious/noConfusingVoidType: Mocha's own signature: a body returns nothing or a promise
type MochaBody = (this: unknown, done: MochaDone) => void | Promise<unknown>;
declare function describe(title: string, body: () => void): void;
declare function it(title: string, body: MochaBody): void;
declare function before(body: MochaBody): void;
declare function after(body: MochaBody): void;
declare function beforeEach(body: MochaBody): void;
declare function afterEach(body: MochaBody): void;
