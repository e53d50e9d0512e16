import type { InvokeOutcome, InvokeRequest, ResponseStreamSink } from '../runtime/pool.ts';
import type { AppModel } from '../template/model.ts';

/**
 * What the Invoke endpoint and the asynchronous invoker need of the application: `App` fits. Always read through
 * a getter, because a template reload replaces the App.
 */
export interface InvokeTarget {
  readonly model: Pick<AppModel, 'functions' | 'region' | 'accountId'>;
  /** Rejects only with `UnknownFunctionError`, or `TooManyRequestsError` when reserved concurrency is 0. */
  invoke(functionId: string, request: InvokeRequest): Promise<InvokeOutcome>;
  /** InvokeWithResponseStream; same rejections as `invoke`. Absent: the endpoint answers a service error. */
  invokeStream?(functionId: string, request: InvokeRequest, sink: ResponseStreamSink): Promise<InvokeOutcome>;
}
