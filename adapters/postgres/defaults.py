"""Default limits of a read, apart from the adapter so the settings can name them cheaply."""

# A reply of a few megabytes is plenty for a model to read; larger ones cost the server memory.
DEFAULT_MAX_RESULT_BYTES = 4 * 2**20
# Per sort or hash node; the server default (4MB) is kept unless a role or database raised it.
DEFAULT_WORK_MEM_KB = 16 * 1024
# A sort or hash that spills past this fails (53400) instead of filling the server's disk.
DEFAULT_TEMP_FILE_LIMIT_KB = 1024 * 1024
