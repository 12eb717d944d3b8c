// The two Prometheus HTTP API calls `drkit status` makes: an instant query, and the active alerts.
// https://prometheus.io/docs/prometheus/latest/querying/api/

/** One series of an instant vector: its labels (with `__name__`) and its value (NaN kept as NaN). */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** An alert Prometheus holds (pending or firing), as `/api/v1/alerts` returns it. */
export interface ActiveAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: string;
  readonly activeAt?: string;
  /** the expression's value when it last fired (a float rendered as text) */
  readonly value?: string;
}

/** Prometheus could not be asked, or answered with an error: the live posture cannot be judged. */
export class PrometheusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PrometheusError";
  }
}

/** Why a fetch failed, in the system's words: `connect ECONNREFUSED 127.0.0.1:9090`, a timeout, … */
function failure(err: unknown): string {
  // Duck-typed: errors raised inside Node's fetch may come from another realm than this module's `Error`.
  type Failure = { name?: string; message?: string; cause?: unknown; errors?: unknown[] };
  let cause = err as Failure;
  // fetch wraps the socket's error (`TypeError: fetch failed`), sometimes in an AggregateError per address.
  while (typeof cause === "object" && cause !== null && cause.cause !== undefined)
    cause = cause.cause as Failure;
  if (Array.isArray(cause?.errors) && cause.errors.length > 0) cause = cause.errors[0] as Failure;
  if (cause?.name === "TimeoutError") return "no answer before --timeout";
  return cause?.message || String(cause);
}

export class PrometheusClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  private async get(path: string): Promise<unknown> {
    const url = `${this.baseUrl.replace(/\/+$/, "")}${path}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const cause = failure(err);
      throw new PrometheusError(`cannot reach Prometheus at ${url}: ${cause}`);
    }
    const text = await response.text();
    let body: { status?: unknown; data?: unknown; error?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new PrometheusError(
        `${url} answered HTTP ${response.status} with something that is not Prometheus's JSON API (${JSON.stringify(text.slice(0, 80))}): is --prometheus the server's base URL?`,
      );
    }
    if (!response.ok || body.status !== "success")
      throw new PrometheusError(
        `${url} answered HTTP ${response.status}: ${String(body.error ?? body.status)}`,
      );
    return body.data;
  }

  /** The instant vector `query` evaluates to now. */
  async query(query: string): Promise<Sample[]> {
    const data = (await this.get(`/api/v1/query?query=${encodeURIComponent(query)}`)) as {
      resultType?: string;
      result?: { metric: Record<string, string>; value: [number, string] }[];
    };
    if (data.resultType !== "vector" || !Array.isArray(data.result))
      throw new PrometheusError(
        `the query ${query} did not return an instant vector (got ${String(data.resultType)})`,
      );
    return data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  }

  /** The alerts Prometheus holds now, pending and firing. */
  async alerts(): Promise<ActiveAlert[]> {
    const data = (await this.get("/api/v1/alerts")) as { alerts?: ActiveAlert[] };
    if (!Array.isArray(data.alerts)) throw new PrometheusError("/api/v1/alerts returned no alert list");
    return data.alerts;
  }
}
