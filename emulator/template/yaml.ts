import {
  type Alias,
  type CollectionTag,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  Pair,
  parseDocument,
  Scalar,
  type ScalarTag,
  YAMLMap,
} from 'yaml';
import type { Path } from './values.ts';

/** A parsed template: its plain value, and where each location sits in the source. */
export interface ParsedYaml {
  readonly value: unknown;
  readonly lineOf: (path: Path) => number | undefined;
  /** Keys written twice in one mapping; the value is the last one's, as CloudFormation reads it. */
  readonly duplicateKeys: readonly DuplicateKey[];
}

/** A mapping key that appears more than once: where the mapping is, and the lines of the first and last. */
export interface DuplicateKey {
  readonly path: Path;
  readonly firstLine: number;
  readonly lastLine: number;
}

/** A YAML syntax error or an unknown tag, with its 1-based line. */
export class YamlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number | undefined,
  ) {
    super(message);
  }
}

/** Short-form tag → the long-form key CloudFormation reads. */
const SHORT_FORMS: ReadonlyMap<string, string> = new Map([
  ['!Ref', 'Ref'],
  ['!Condition', 'Condition'],
  ['!Sub', 'Fn::Sub'],
  ['!GetAtt', 'Fn::GetAtt'],
  ['!If', 'Fn::If'],
  ['!Join', 'Fn::Join'],
  ['!Select', 'Fn::Select'],
  ['!Split', 'Fn::Split'],
  ['!Equals', 'Fn::Equals'],
  ['!Not', 'Fn::Not'],
  ['!And', 'Fn::And'],
  ['!Or', 'Fn::Or'],
  ['!FindInMap', 'Fn::FindInMap'],
  ['!Base64', 'Fn::Base64'],
  ['!GetAZs', 'Fn::GetAZs'],
  ['!ImportValue', 'Fn::ImportValue'],
  ['!Cidr', 'Fn::Cidr'],
  ['!Transform', 'Fn::Transform'],
]);

/**
 * `!GetAtt Resource.Attribute` splits at the first dot only: attribute names such as `Endpoint.Address`
 * contain dots themselves.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getatt.html
 */
function getAttArguments(text: string): string[] {
  const dot = text.indexOf('.');
  return dot === -1 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

function cloudFormationTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const [tag, longForm] of SHORT_FORMS) {
    tags.push({
      tag,
      resolve: (text: string) => ({ [longForm]: longForm === 'Fn::GetAtt' ? getAttArguments(text) : text }),
    });
    for (const collection of ['seq', 'map'] as const) {
      // Wrapping the parsed collection (rather than its plain value) keeps its children's source ranges,
      // so errors inside `!Sub [..., {...}]` still point at the right line.
      tags.push({
        tag,
        collection,
        resolve: (node) => {
          const wrapper = new YAMLMap();
          wrapper.items.push(new Pair(new Scalar(longForm), node));
          return wrapper;
        },
      });
    }
  }
  return tags;
}

const TAGS = cloudFormationTags();

function firstLine(message: string): string {
  const [head = message] = message.split(/ at line \d+, column \d+/);
  return head.trim();
}

/** Parses a YAML (or JSON) template with CloudFormation's short-form tags turned into their long forms. */
export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // CloudFormation and SAM accept a mapping key written twice and keep the last value (the YAML loaders both
  // use do so); the duplicates are reported as warnings rather than refused.
  const document = parseDocument(text, { customTags: TAGS, lineCounter, uniqueKeys: false });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;

  const [error] = document.errors;
  if (error !== undefined) {
    throw new YamlSyntaxError(`YAML syntax error: ${firstLine(error.message)}`, lineAt(error.pos[0]));
  }
  const unknownTag = document.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (unknownTag !== undefined) {
    throw new YamlSyntaxError(
      `${firstLine(unknownTag.message)}; CloudFormation knows only its own short forms such as !Ref and !Sub`,
      lineAt(unknownTag.pos[0]),
    );
  }

  const value: unknown = document.toJS({ maxAliasCount: 1000 });

  const lineOf = (path: Path): number | undefined => {
    if (path.length === 0) return undefined;
    const node = deepestNode(document.contents, path, (alias) => alias.resolve(document));
    const start = node?.range?.[0];
    return start === undefined ? undefined : lineAt(start);
  };
  return { value, lineOf, duplicateKeys: findDuplicateKeys(document.contents, lineAt) };
}

/** Every key written more than once in the same mapping, anywhere in the document (aliases are not followed). */
function findDuplicateKeys(root: unknown, lineAt: (offset: number) => number): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const visit = (node: unknown, path: Path): void => {
    if (isSeq(node)) {
      node.items.forEach((item, index) => {
        visit(item, [...path, index]);
      });
      return;
    }
    if (!isMap(node)) return;
    const firstLines = new Map<string, number>();
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
      const line = isNode(item.key) && item.key.range ? lineAt(item.key.range[0]) : 0;
      const first = firstLines.get(key);
      if (first === undefined) firstLines.set(key, line);
      else found.push({ path: [...path, key], firstLine: first, lastLine: line });
      visit(item.value, [...path, key]);
    }
  };
  visit(root, []);
  return found;
}

/** The node at `path`, or the deepest one on the way when the path leaves the source (defaults, Globals). */
function deepestNode(root: unknown, path: Path, resolveAlias: (alias: Alias) => unknown): Node | undefined {
  let current: unknown = root;
  let deepest: Node | undefined;
  for (const segment of path) {
    if (isAlias(current)) current = resolveAlias(current);
    // A scalar short form (`!Ref X`) holds its long form as a plain value: nothing deeper has a line.
    if (isScalar(current)) break;
    if (isMap(current)) {
      // The last of duplicate keys is the one in effect.
      const pair = current.items.findLast(
        (item) =>
          isPair(item) &&
          (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(segment),
      );
      if (pair === undefined) break;
      // A property is reported on its key's line. The long-form key that a short-form tag adds has no
      // source of its own, so the tagged property's line stands for it.
      if (isNode(pair.key) && pair.key.range) deepest = pair.key;
      current = pair.value;
    } else if (isSeq(current) && typeof segment === 'number') {
      current = current.items[segment];
      if (isNode(current)) deepest = current;
    } else {
      break;
    }
    if (!isNode(current)) break;
  }
  return deepest;
}
