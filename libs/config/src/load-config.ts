/**
 * Configuration is read once at boot from the environment into a typed, validated object. Every bad or
 * missing variable is reported together, so an operator fixes a deploy in one pass instead of one per crash.
 */
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`${service}: invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map(
      (message) => `${e.property}: ${message.replace(`${e.property} `, '')}`,
    ),
  );
}

/**
 * Builds a config object from `env`: class properties are named exactly like the variables, defaults are the
 * property initializers, and class-transformer's implicit conversion turns numeric strings into numbers.
 */
export function loadConfig<T extends object>(
  service: string,
  schema: new () => T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const defaults = new schema() as Record<string, unknown>;
  const defined = Object.fromEntries(
    Object.entries(env)
      .filter(([, v]) => v !== undefined && v !== '')
      // A property whose default is a number reads its variable as a number, whatever metadata the compiler
      // emitted; a value that is not numeric stays a string and fails validation with the variable named.
      .map(([k, v]) => [
        k,
        typeof defaults[k] === 'number' && /^-?\d+(\.\d+)?$/.test(v!.trim()) ? Number(v) : v,
      ]),
  );
  const config = plainToInstance(schema, defined, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { whitelist: true, forbidUnknownValues: false });
  if (errors.length > 0) throw new ConfigError(service, describe(errors));
  return config;
}

/** Splits a comma-separated variable, dropping empties. */
export function csv(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
