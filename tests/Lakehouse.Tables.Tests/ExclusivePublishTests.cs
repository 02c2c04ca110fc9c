using FluentAssertions;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;

namespace Lakehouse.Tables.Tests;

/// <summary>The put-if-absent under every commit: exactly one of many racing writers gets a name.</summary>
public sealed class ExclusivePublishTests
{
    [Fact]
    public void An_existing_target_is_kept_and_the_temporary_file_stays()
    {
        using var dir = new TempDirectory("publish-existing");
        string target = dir.Combine("00000000000000000001.json"), temp = dir.Combine(".tmp");
        File.WriteAllText(target, "first");
        File.WriteAllText(temp, "second");

        ExclusivePublish.TryPublish(temp, target).Should().BeFalse();

        File.ReadAllText(target).Should().Be("first");
        File.Exists(temp).Should().BeTrue("the loser cleans up its own temporary file");
    }

    [Fact]
    public void Racing_writers_never_both_win_a_name()
    {
        // Many threads publish their own file under the same names at once. A check-then-rename (what .NET's
        // File.Move(overwrite: false) does on Unix) lets two of them win a name now and then, the later one replacing
        // the earlier: a lost commit. Exactly one winner per name, and the name holds the winner's bytes.
        using var dir = new TempDirectory("publish-race");
        const int names = 300, writers = 6;
        var winners = new int[names];
        var winnerContent = new string?[names];
        for (int n = 0; n < names; n++)
            for (int w = 0; w < writers; w++) File.WriteAllText(dir.Combine($".{n}.{w}.tmp"), $"writer {w}");
        // All writers meet before each name, so they race for it at the same moment.
        using var start = new Barrier(writers);
        var threads = Enumerable.Range(0, writers).Select(w => new Thread(() =>
        {
            for (int n = 0; n < names; n++)
            {
                start.SignalAndWait();
                string temp = dir.Combine($".{n}.{w}.tmp");
                if (ExclusivePublish.TryPublish(temp, dir.Combine($"{n:D20}.json")))
                {
                    Interlocked.Increment(ref winners[n]);
                    winnerContent[n] = $"writer {w}";
                }
                else File.Delete(temp);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        winners.Should().OnlyContain(w => w == 1, "every name has exactly one winner");
        for (int n = 0; n < names; n++) File.ReadAllText(dir.Combine($"{n:D20}.json")).Should().Be(winnerContent[n]);
        Directory.GetFiles(dir.Path, "*.tmp").Should().BeEmpty();
    }
}
