using System.CommandLine;
using Lakehouse.Cli;

// Exit codes: 0 success, 1 user error (one line on stderr), 2 internal error (a bug: please report).
return Cli.Run(args);
