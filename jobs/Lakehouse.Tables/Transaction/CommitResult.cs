namespace Lakehouse.Tables.Transaction;

/// <summary>The outcome of one commit attempt (<see cref="DeltaTransaction.TryCommit"/>); not an exception, so retry logic stays testable.</summary>
public abstract record CommitResult
{
    private CommitResult() { }

    /// <summary>The commit file for <paramref name="Version"/> was created: the transaction is durable.</summary>
    public sealed record Committed(long Version) : CommitResult;

    /// <summary>Another writer created <paramref name="Version"/> first; check its actions and retry at a later version.</summary>
    public sealed record Conflicted(long Version) : CommitResult;

    /// <summary>A transient I/O failure before the commit file existed; nothing was committed, the same attempt may be retried.</summary>
    public sealed record Retryable(long Version, string Reason) : CommitResult;
}

/// <summary>What a transaction does; decides the commitInfo operation and which concurrent commits conflict with it.</summary>
public enum DeltaOperation
{
    /// <summary>Blind append: conflicts only with protocol/metadata changes and same-appId txns.</summary>
    Append,
    /// <summary>Replace all data (removes every file of the read snapshot).</summary>
    Overwrite,
    /// <summary>Replace the partitions matched by <see cref="DeltaTransaction.RemoveWhere"/>.</summary>
    ReplaceWhere,
    /// <summary>Remove the files matched by <see cref="DeltaTransaction.RemoveWhere"/> without adding data.</summary>
    Delete,
}
