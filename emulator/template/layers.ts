import { join, resolve as resolvePath } from 'node:path';
import type { Diagnostics } from './errors.ts';
import type { Resolver } from './intrinsics.ts';
import type { LayerModel } from './model.ts';
import type { PropertyReader } from './properties.ts';
import { LAMBDA_LAYER_VERSION, type ResourceEntry, SERVERLESS_LAYER_VERSION } from './resources.ts';
import { expectNonEmptyString, expectString, isRecord, type Path } from './values.ts';

/**
 * A layer whose content is a local folder, as `sam build` would lay it out, keyed later by its version ARN.
 * `ContentUri` for `AWS::Serverless::LayerVersion`; `Content` given as a local path (what `aws cloudformation
 * package` uploads) for `AWS::Lambda::LayerVersion`. `undefined`, with a warning, for content in S3.
 *
 * `Metadata.BuildMethod: nodejsNN.x` makes `sam build` run `npm install` in ContentUri and place the result in
 * the layer's `nodejs/` folder (aws-sam-cli `get_layer_subfolder`), so ContentUri itself stands for
 * `/opt/nodejs`. `makefile` is not run locally: ContentUri is used as the layer's `/opt`, as it is.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/building-layers.html
 */
export function buildLayer(
  entry: ResourceEntry,
  properties: PropertyReader,
  resolver: Resolver,
  diag: Diagnostics,
  templateDirectory: string,
): LayerModel | undefined {
  const key = entry.type === LAMBDA_LAYER_VERSION ? 'Content' : 'ContentUri';
  const value = properties.value([key]);
  if (value === undefined) return diag.fail(properties.pathOf([]), `${key} is required`);
  if (isRecord(value)) {
    diag.warn(properties.pathOf([key]), 'layer content in S3 is not available locally; layer ignored');
    return undefined;
  }
  const contentDir = resolvePath(
    templateDirectory,
    expectNonEmptyString(value, properties.pathOf([key]), diag),
  );
  const buildMethod = readBuildMethod(entry, diag);
  let nodejsDir = join(contentDir, 'nodejs');
  if (buildMethod?.startsWith('nodejs')) nodejsDir = contentDir;
  else if (buildMethod === 'makefile') {
    diag.warn(
      ['Resources', entry.logicalId, 'Metadata', 'BuildMethod'],
      'makefile layers are not built locally; the ContentUri folder is used as the layer content as it is',
    );
  } else if (buildMethod !== undefined) {
    diag.warn(
      ['Resources', entry.logicalId, 'Metadata', 'BuildMethod'],
      `BuildMethod ${buildMethod} is not a Node.js build; the ContentUri folder is used as the layer content as it is`,
    );
  }
  const runtimes = properties.list(['CompatibleRuntimes']);
  return {
    logicalId: entry.logicalId,
    arn: resolver.layerVersionArn(entry),
    nodejsDir,
    contentDir,
    buildMethod,
    compatibleRuntimes: runtimes?.map((_item, index) =>
      expectString(
        properties.value(['CompatibleRuntimes', index]),
        properties.pathOf(['CompatibleRuntimes', index]),
        diag,
      ),
    ),
  };
}

function readBuildMethod(entry: ResourceEntry, diag: Diagnostics): string | undefined {
  if (!isRecord(entry.metadata) || entry.metadata.BuildMethod === undefined) return undefined;
  const path: Path = ['Resources', entry.logicalId, 'Metadata', 'BuildMethod'];
  return expectString(entry.metadata.BuildMethod, path, diag).toLowerCase();
}

/** Whether a resource is one of the two layer types. */
export function isLayer(entry: ResourceEntry): boolean {
  return entry.type === SERVERLESS_LAYER_VERSION || entry.type === LAMBDA_LAYER_VERSION;
}

/**
 * A function's `Layers` (Globals entries first, as SAM merges lists), each resolved to a version ARN and matched
 * with a layer of this template. A layer known only by its ARN is not available locally: it is reported once and
 * the function runs without it. The order is kept: Lambda extracts layers into /opt in that order, a later
 * layer's files replacing an earlier one's.
 * https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html
 */
export function readFunctionLayers(
  properties: PropertyReader,
  layers: ReadonlyMap<string, LayerModel>,
  runtime: string,
  diag: Diagnostics,
): LayerModel[] {
  const items = properties.list(['Layers']);
  const result: LayerModel[] = [];
  items?.forEach((_item, index) => {
    const path = properties.pathOf(['Layers', index]);
    const value = properties.value(['Layers', index]);
    if (value === undefined) return;
    const arn = expectNonEmptyString(value, path, diag);
    const layer = layers.get(arn);
    if (layer === undefined) {
      diag.warn(
        [],
        `layer ${arn} is not in this template, so not available locally; functions run without it`,
      );
      return;
    }
    result.push(layer);
  });
  if (result.length > 5)
    diag.fail(properties.pathOf(['Layers']), 'Lambda allows at most 5 layers per function');
  for (const layer of result) checkCompatibleRuntime(layer, runtime, diag);
  return result;
}

/** Lambda does not refuse an incompatible layer; its runtime list is advice, so a mismatch is only a warning. */
function checkCompatibleRuntime(layer: LayerModel, runtime: string, diag: Diagnostics): void {
  const runtimes = layer.compatibleRuntimes;
  if (runtimes === undefined || runtimes.includes(runtime)) return;
  diag.warn(
    ['Resources', layer.logicalId, 'Properties', 'CompatibleRuntimes'],
    `does not list ${runtime}, which a function using the layer runs on`,
  );
}
