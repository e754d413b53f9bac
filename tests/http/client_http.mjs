// Calls pg-mcp over streamable HTTP with the TypeScript SDK client; prints what it received as JSON.
// Usage: node client_http.mjs '<calls JSON>' URL TOKEN
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [callsJson, url, token] = process.argv.slice(2);
const calls = JSON.parse(callsJson);
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
const client = new Client({ name: 'pg-mcp-ts-http-test', version: '0.0.0' });
await client.connect(transport);

// listTools caches the outputSchema validators that callTool then applies to every result.
const { tools } = await client.listTools();
const results = [];
for (const { name, arguments: callArgs } of calls) {
  try {
    const result = await client.callTool({ name, arguments: callArgs });
    results.push({ name, result });
  } catch (error) {
    results.push({ name, thrown: { code: error.code, message: String(error.message) } });
  }
}
await client.close();
process.stdout.write(JSON.stringify({ tools: tools.map((t) => t.name), results }));
