// Drives the real Pusher clients for GatewayBrowserTest: Debian's Chromium through
// playwright-core (no browser download), and the `pusher` server SDK. One JSON command per line
// on stdin, one JSON answer per line on stdout, in order:
//   {"op":"open","page":"alice","url":"http://..."}             a new tab (own context: own cookies)
//   {"op":"eval","page":"alice","js":"expression"}              the expression's value (awaited)
//   {"op":"waitFor","page":"alice","js":"expression","ms":15000} until the expression is truthy
//   {"op":"close","page":"alice"}                               closes the tab
//   {"op":"trigger","app":{...},"port":6001,"channel":"c","event":"e","data":{...}}
//                                                               pusher.trigger(...) over HTTP
//   {"op":"get","app":{...},"port":6001,"path":"/channels","params":{...}}
//                                                               pusher.get(...): a signed GET
// Answers are {"ok":true,"value":...} or {"ok":false,"error":"..."}.
import { chromium } from 'playwright-core';
import Pusher from 'pusher';
import readline from 'node:readline';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
});
const pages = new Map();
const logs = [];

async function run(command) {
  switch (command.op) {
    case 'open': {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('console', message => logs.push(`[${command.page}] ${message.text()}`));
      page.on('pageerror', error => logs.push(`[${command.page}] error: ${error.message}`));
      await page.goto(command.url);
      pages.set(command.page, page);
      return true;
    }
    case 'eval':
      return await page(command).evaluate(command.js);
    case 'waitFor':
      await page(command).waitForFunction(command.js, null, { timeout: command.ms ?? 15000 });
      return await page(command).evaluate(command.js);
    case 'close': {
      const tab = page(command);
      pages.delete(command.page);
      await tab.context().close();
      return true;
    }
    case 'trigger': {
      const response = await server(command).trigger(command.channel, command.event,
        command.data);
      return { status: response.status, body: await response.text() };
    }
    case 'get': {
      const response = await server(command).get({ path: command.path,
        params: command.params ?? {} });
      return { status: response.status, body: await response.json() };
    }
    default:
      throw new Error(`unknown op ${command.op}`);
  }
}

// The pusher server SDK, pointed at a gateway node.
function server(command) {
  return new Pusher({
    appId: command.app.id, key: command.app.key, secret: command.app.secret,
    host: '127.0.0.1', port: String(command.port), useTLS: false,
  });
}

function page(command) {
  const found = pages.get(command.page);
  if (!found) {
    throw new Error(`no page ${command.page}`);
  }
  return found;
}

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) {
    continue;
  }
  let answer;
  try {
    answer = { ok: true, value: await run(JSON.parse(line)) ?? null };
  } catch (error) {
    // pusher.trigger rejects with the response: its status and body say why.
    const detail = error.status ? ` (HTTP ${error.status}: ${error.body})` : '';
    answer = { ok: false, error: `${error.message}${detail}`, logs: logs.slice(-20) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
await browser.close();
