import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ConfigError, loadConfig } from './load-config';

class ExampleConfig {
  @IsInt() @Min(1) @Max(65535) PORT = 3000;
  @IsString() NAME = 'default';
  @IsOptional() @IsString() OPTIONAL?: string;
}

describe('loadConfig', () => {
  it('keeps defaults and converts numeric variables whose default is a number', () => {
    expect(loadConfig('svc', ExampleConfig, { PORT: '4000' })).toMatchObject({ PORT: 4000, NAME: 'default' });
    expect(loadConfig('svc', ExampleConfig, {})).toMatchObject({ PORT: 3000 });
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig('svc', ExampleConfig, { PORT: 'eighty', NAME: '', OPTIONAL: undefined });
      loadConfig('svc', ExampleConfig, { PORT: '70000' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toContain('PORT');
  });

  it('reports out-of-range numbers with the variable named', () => {
    expect(() => loadConfig('svc', ExampleConfig, { PORT: '70000' })).toThrow(
      /PORT: must not be greater than 65535/,
    );
  });
});
