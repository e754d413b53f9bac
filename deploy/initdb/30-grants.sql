-- After the demo schema and data are loaded: read access to every table and view.
GRANT USAGE ON SCHEMA public, hr TO pgmcp_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public, hr TO pgmcp_reader;
