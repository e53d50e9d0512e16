import { formatPath, type Path } from './values.ts';

/** A template the emulator cannot run as written: names the file, the YAML line and the property path. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  /** Dotted location inside the template, e.g. `Resources.GetPriceFunction.Properties.Handler`; '' for the file. */
  readonly path: string;
  /** 1-based line in the template file, when the location could be traced to one. */
  readonly line: number | undefined;
  /** The template file as given to the loader. */
  readonly templatePath: string;

  constructor(templatePath: string, path: string, line: number | undefined, message: string) {
    super(`${locationPrefix(templatePath, line)}${path === '' ? '' : `${path}: `}${message}`);
    this.templatePath = templatePath;
    this.path = path;
    this.line = line;
  }
}

function locationPrefix(templatePath: string, line: number | undefined): string {
  return line === undefined ? `${templatePath}: ` : `${templatePath}:${line}: `;
}

/** Finds the source line of a template location; `undefined` when the location has no line. */
export type LineFinder = (path: Path) => number | undefined;

/** Collects warnings (each distinct message once) and raises TemplateErrors located in the template. */
export class Diagnostics {
  readonly #warnings: Set<string>;

  constructor(
    readonly templatePath: string,
    private readonly lineOf: LineFinder,
    warnings: Set<string> = new Set(),
  ) {
    this.#warnings = warnings;
  }

  /** Diagnostics for another file the template reads (an `AWS::Include`d document), sharing these warnings. */
  forFile(filePath: string, lineOf: LineFinder): Diagnostics {
    return new Diagnostics(filePath, lineOf, this.#warnings);
  }

  get warnings(): readonly string[] {
    return [...this.#warnings];
  }

  fail(path: Path, message: string): never {
    throw new TemplateError(this.templatePath, formatPath(path), this.lineOf(path), message);
  }

  warn(path: Path, message: string): void {
    const where = formatPath(path);
    this.#warnings.add(
      `${locationPrefix(this.templatePath, this.lineOf(path))}${where === '' ? '' : `${where}: `}${message}`,
    );
  }
}
