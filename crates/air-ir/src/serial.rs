//! The serial forms of a module, chosen by file extension: `.air`, `.airpb`, `.air.json`.
