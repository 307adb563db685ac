"""How far a compressed file from outside may expand: the limits every reader of one shares.

A review set's Parquet files and the zip archives of workbooks and QDA projects are refused,
before anything is decompressed, when what they say they hold is more than real data ever is.
"""

__all__ = ["MAX_UNPACKED_BYTES", "MAX_RATIO", "RATIO_FLOOR"]

#: The most bytes a file's data (or an archive's members together) may take once decompressed: a
#: national set takes tens of MiB.
MAX_UNPACKED_BYTES = 1024 * 2**20
#: The highest compression ratio accepted (decompressed / compressed) above :data:`RATIO_FLOOR`
#: bytes. Real data compress 1.5 to 30 times; deflate cannot pass about 1,030 times, which a bomb
#: of one repeated byte reaches, and zstd goes far beyond.
MAX_RATIO = 200
#: Data smaller than this is never refused for its ratio (a small file of blanks is harmless).
RATIO_FLOOR = 1 * 2**20
