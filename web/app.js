// @ts-check

/** @typedef {{ priceUrl?: string, multiplyUrl?: string }} Endpoints */

/** Above API Gateway's own 29 s integration timeout, so the gateway's answer arrives first. */
const TIMEOUT_MS = 35_000;

const priceForm = element('price-form', HTMLFormElement);
const symbolsInput = element('symbols', HTMLInputElement);
const priceResult = element('price-result', HTMLElement);
const multiplyForm = element('multiply-form', HTMLFormElement);
const aInput = element('a', HTMLInputElement);
const bInput = element('b', HTMLInputElement);
const multiplyResult = element('multiply-result', HTMLElement);
const configProblem = element('config-problem', HTMLElement);

element('page-origin', HTMLElement).textContent = location.origin;
// Not awaited here, so that the forms are handled from the start even while config.json loads.
const endpointsLoaded = loadEndpoints().then((endpoints) => {
  element('price-url', HTMLElement).textContent = endpoints.priceUrl ?? 'not configured';
  element('multiply-url', HTMLElement).textContent = endpoints.multiplyUrl ?? 'not configured';
  return endpoints;
});

priceForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const symbols = symbolsInput.value.split(/[\s,]+/).filter((symbol) => symbol !== '');
  // An empty list is sent as is: the API's own 400 says what is missing.
  run(priceForm, priceResult, 'Fetching prices…', async () => {
    const url = new URL(required((await endpointsLoaded).priceUrl, 'price API'));
    url.searchParams.set('symbols', symbols.join(','));
    return renderPrices(parsePrices(await callApi('price API', url.href, { method: 'GET' })));
  });
});

multiplyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  /** @type {Record<string, number>} */
  const operands = {};
  // An empty field leaves its key out, and the API answers which key is missing.
  if (aInput.value !== '') operands.a = aInput.valueAsNumber;
  if (bInput.value !== '') operands.b = bInput.valueAsNumber;
  run(multiplyForm, multiplyResult, 'Multiplying…', async () => {
    const endpoint = required((await endpointsLoaded).multiplyUrl, 'multiply API');
    const data = await callApi('multiply API', endpoint, {
      method: 'POST',
      // application/json is not a CORS-safelisted content type: the browser sends a preflight first.
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(operands),
    });
    if (!isRecord(data) || typeof data.result !== 'number') throw unexpected('multiply API');
    return paragraph(`${operands.a} × ${operands.b} = ${data.result}`);
  });
});

/**
 * Runs one request for a form, showing progress, then the result or the error in words in the live region.
 * @param {HTMLFormElement} form
 * @param {HTMLElement} region
 * @param {string} pending
 * @param {() => Promise<Node>} work
 */
async function run(form, region, pending, work) {
  const button = form.querySelector('button');
  if (button) button.disabled = true;
  region.setAttribute('aria-busy', 'true');
  region.replaceChildren(paragraph(pending, 'pending'));
  try {
    region.replaceChildren(await work());
  } catch (error) {
    region.replaceChildren(paragraph(error instanceof Error ? error.message : String(error), 'error'));
  } finally {
    region.removeAttribute('aria-busy');
    if (button) button.disabled = false;
  }
}

/**
 * The JSON body of a successful answer. A failure becomes an Error whose message is meant for the user: the
 * API's own `{"error": "…"}` (or the gateway's `{"message": "…"}`) when the browser lets the page read it.
 * @param {string} name
 * @param {string} url
 * @param {RequestInit} init
 * @returns {Promise<unknown>}
 */
async function callApi(name, url, init) {
  let response;
  let text;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    text = await response.text();
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      throw new Error(`The ${name} did not answer within ${TIMEOUT_MS / 1000} seconds.`);
    }
    // Browsers report an unreachable server and a refused origin alike, as a bare TypeError.
    const { origin } = location;
    throw new Error(
      `Could not reach the ${name} at ${url.split('?')[0]}, or it refused this page's origin ${origin} ` +
        `(CORS). Check that the API is running and that its AllowedOrigin parameter is ${origin} or *.`,
    );
  }
  const data = parseJson(text);
  if (!response.ok) {
    const message = isRecord(data) ? (stringOf(data.error) ?? stringOf(data.message)) : undefined;
    throw new Error(`The ${name} answered ${response.status}: ${message ?? (text.trim() || 'no message')}`);
  }
  if (data === undefined) throw unexpected(name);
  return data;
}

/**
 * @param {unknown} data
 * @returns {{ symbol: string, price: string }[]}
 */
function parsePrices(data) {
  if (!isRecord(data) || !Array.isArray(data.prices)) throw unexpected('price API');
  return data.prices.map((item) => {
    if (!isRecord(item) || typeof item.symbol !== 'string' || typeof item.price !== 'string') {
      throw unexpected('price API');
    }
    return { symbol: item.symbol, price: item.price };
  });
}

/**
 * Prices as Binance sends them: exact decimal strings, not rounded through a float.
 * @param {{ symbol: string, price: string }[]} prices
 */
function renderPrices(prices) {
  const table = document.createElement('table');
  const caption = table.createCaption();
  caption.textContent = `Prices at ${new Date().toLocaleTimeString()}`;
  const head = table.createTHead().insertRow();
  for (const title of ['Symbol', 'Price']) {
    const cell = document.createElement('th');
    cell.scope = 'col';
    cell.textContent = title;
    head.append(cell);
  }
  const body = table.createTBody();
  for (const { symbol, price } of prices) {
    const row = body.insertRow();
    const name = document.createElement('th');
    name.scope = 'row';
    name.textContent = symbol;
    row.append(name);
    row.insertCell().textContent = price;
  }
  return table;
}

/**
 * The endpoints from the query string (`?api=…`, `?PriceApiUrl=…&MultiplyApiUrl=…`), completed from
 * `config.json` (same keys); the query string wins, so one hosted page can be pointed at another stack.
 * @returns {Promise<Endpoints>}
 */
async function loadEndpoints() {
  const fromQuery = endpointsOf(Object.fromEntries(new URLSearchParams(location.search)), 'the query string');
  if (fromQuery.priceUrl !== undefined && fromQuery.multiplyUrl !== undefined) return fromQuery;
  let fromFile = {};
  try {
    const response = await fetch('config.json', { cache: 'no-cache' });
    if (response.ok) {
      const data = parseJson(await response.text());
      if (!isRecord(data)) throw new Error('config.json is not a JSON object.');
      fromFile = endpointsOf(data, 'config.json');
    }
  } catch (error) {
    showConfigProblem(error instanceof Error ? error.message : String(error));
  }
  return { ...fromFile, ...fromQuery };
}

/**
 * An explicit endpoint URL wins over one derived from the `api` base.
 * @param {Record<string, unknown>} source
 * @param {string} where
 * @returns {Endpoints}
 */
function endpointsOf(source, where) {
  const base = httpUrl(source.api, 'api', where)?.replace(/\/+$/, '');
  /** @type {Endpoints} */
  const endpoints = {};
  const priceUrl = httpUrl(source.PriceApiUrl, 'PriceApiUrl', where) ?? (base && `${base}/price`);
  const multiplyUrl = httpUrl(source.MultiplyApiUrl, 'MultiplyApiUrl', where) ?? (base && `${base}/multiply`);
  if (priceUrl) endpoints.priceUrl = priceUrl;
  if (multiplyUrl) endpoints.multiplyUrl = multiplyUrl;
  return endpoints;
}

/**
 * @param {unknown} value
 * @param {string} key
 * @param {string} where
 * @returns {string | undefined}
 */
function httpUrl(value, key, where) {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)) {
    return value;
  }
  showConfigProblem(`${key} in ${where} is not an http(s) URL: ${JSON.stringify(value)}`);
  return undefined;
}

/** @param {string} message */
function showConfigProblem(message) {
  configProblem.textContent = message;
  configProblem.hidden = false;
}

/**
 * @param {string | undefined} url
 * @param {string} name
 * @returns {string}
 */
function required(url, name) {
  if (url === undefined) {
    throw new Error(
      `No URL for the ${name}: open this page with ?api=<base URL>, or put the stack's PriceApiUrl and ` +
        'MultiplyApiUrl outputs in config.json.',
    );
  }
  return url;
}

/** @param {string} name */
function unexpected(name) {
  return new Error(`The ${name} answered with something other than the JSON it documents.`);
}

/**
 * @param {string} text
 * @returns {unknown}
 */
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param {unknown} value
 * @returns {string | undefined}
 */
function stringOf(value) {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * @param {string} text
 * @param {string} [className]
 */
function paragraph(text, className) {
  const p = document.createElement('p');
  p.textContent = text;
  if (className) p.className = className;
  return p;
}

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T }} type
 * @returns {T}
 */
function element(id, type) {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`index.html has no #${id}`);
  return found;
}
