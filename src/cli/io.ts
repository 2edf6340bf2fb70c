/** What a command may touch of the outside world; main.ts wires it to the process. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  readStdin(): Promise<string>;
  /** Resolves when the user asks to stop (Ctrl-C or SIGTERM), for long-running commands. */
  untilInterrupted(): Promise<void>;
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
    untilInterrupted: () =>
      new Promise((resolve) => {
        // Signal listeners alone do not keep Node running; a long-running command must not exit early.
        const keepAlive = setInterval(() => {}, 1 << 30);
        const stop = () => {
          clearInterval(keepAlive);
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      }),
  };
}
