/** What a command may touch of the outside world; main.ts wires it to the process. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  readStdin(): Promise<string>;
  /**
   * Starts listening for Ctrl-C and SIGTERM: `interrupted` resolves on either. `stop()` stops listening.
   * While listening the process stays alive, as a long-running command must.
   */
  watchInterrupt(): { interrupted: Promise<void>; stop(): void };
}

export function processIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    watchInterrupt() {
      // Signal listeners alone do not keep Node running.
      const keepAlive = setInterval(() => {}, 1 << 30);
      let resolve!: () => void;
      const interrupted = new Promise<void>((r) => (resolve = r));
      const stop = () => {
        clearInterval(keepAlive);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      };
      const onSignal = () => {
        stop();
        resolve();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      return { interrupted, stop };
    },
  };
}
