-- The least-privileged login pg-mcp connects as: it reads, nothing more.
CREATE ROLE pgmcp_reader LOGIN PASSWORD 'reader';
