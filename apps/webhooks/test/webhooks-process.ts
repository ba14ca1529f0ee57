/**
 * Runs the webhooks service as a real child process from its TypeScript sources (transpiled on load by
 * TypeScript's transpileModule, @tollgate/* resolved through tsconfig paths), so a test can SIGKILL it without a build step.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { eventually } from '@tollgate/testing';

const ROOT = resolve(__dirname, '../../..');
const MAIN = resolve(__dirname, '../src/main.ts');

const BOOTSTRAP = `
const fs = require('fs');
const ts = require('typescript');
const root = ${JSON.stringify(ROOT)};
const { compilerOptions } = require(root + '/tsconfig.json');
require('tsconfig-paths').register({ baseUrl: root, paths: compilerOptions.paths });
const { options } = ts.convertCompilerOptionsFromJson({ ...compilerOptions, isolatedModules: true, sourceMap: false }, root);
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions: options, fileName: filename });
  module._compile(outputText, filename);
};
require('reflect-metadata');
require(process.argv[1]);
`;

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function spawnWebhooks(env: NodeJS.ProcessEnv, port: number): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['-e', BOOTSTRAP, MAIN], {
    cwd: ROOT,
    env: { ...process.env, ...env, WEBHOOKS_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`webhooks exited: ${output}`);
      return (await fetch(`${url}/health/ready`)).ok;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: 'the webhooks process to be ready' },
  );
  return {
    child,
    url,
    output: () => output,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
