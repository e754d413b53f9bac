// Calls pg-mcp over stdio with the TypeScript SDK client; prints what it received as JSON.
// Usage: node client.mjs '<calls JSON>' command [args...]  (the server inherits this environment)
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import Ajv from 'ajv';

const [callsJson, command, ...args] = process.argv.slice(2);
const calls = JSON.parse(callsJson);
const transport = new StdioClientTransport({ command, args, env: process.env, stderr: 'inherit' });
const client = new Client({ name: 'pg-mcp-ts-test', version: '0.0.0' });
await client.connect(transport);

// listTools caches the outputSchema validators that callTool then applies to every result.
const { tools } = await client.listTools();
const strictAjv = new Ajv({ strict: true, allErrors: true });
const schemas = {};
for (const tool of tools) {
  try {
    strictAjv.compile(tool.outputSchema);
    schemas[tool.name] = { type: tool.outputSchema.type, strictCompiles: true };
  } catch (error) {
    schemas[tool.name] = { type: tool.outputSchema?.type, strictCompiles: false, error: String(error) };
  }
}

const results = [];
for (const { name, arguments: callArgs } of calls) {
  try {
    const result = await client.callTool({ name, arguments: callArgs });
    results.push({ name, arguments: callArgs, result });
  } catch (error) {
    results.push({ name, arguments: callArgs, thrown: { code: error.code, message: String(error.message) } });
  }
}
await client.close();
process.stdout.write(JSON.stringify({ tools: tools.map((t) => t.name), schemas, results }));
