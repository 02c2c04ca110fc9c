// A real OS process that writes to a Delta table, for the concurrency and crash tests.
//   append TABLE WRITER COUNT   COUNT single-row appends (id = WRITER*100000 + i), one commit each
// LAKEHOUSE_DELTA_CRASH_AT=<point> makes the library exit the process at that point (exit code 86).
using Lakehouse.Tables;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;

if (args.Length != 4 || args[0] != "append")
{
    Console.Error.WriteLine("usage: append TABLE WRITER COUNT");
    return 2;
}
string tablePath = args[1];
int writer = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
int count = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
var schema = new StructType(new StructField("id", DeltaType.Long), new StructField("writer", DeltaType.Integer));
var table = DeltaTable.Open(tablePath);
for (int i = 0; i < count; i++)
{
    var txn = table.NewTransaction(DeltaOperation.Append, new CommitLineage("test-writer") { Parameters = new Dictionary<string, string> { ["writer"] = args[2] } });
    txn.Write(new ColumnBatch(schema, [new List<long> { writer * 100_000L + i }, new List<int> { writer }]));
    txn.SetTransactionId($"writer-{writer}", i);
    long v = txn.Commit();
    Console.WriteLine(v);
}
return 0;
