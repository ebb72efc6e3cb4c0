using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Transactions;

namespace Tsim.Registry.Tests.Transactions;

public sealed class TransactionTests
{
    [Fact]
    public void Dispose_WithoutCommit_UndoesStepsInReverseOrder()
    {
        var undone = new List<int>();
        using (var transaction = new Transaction(NullLogger.Instance))
        {
            transaction.OnRollback("one", () => undone.Add(1));
            transaction.OnRollback("two", () => undone.Add(2));
            transaction.OnRollback("three", () => undone.Add(3));
        }

        undone.Should().Equal(3, 2, 1);
    }

    [Fact]
    public void Rollback_FailingUndo_DoesNotStopTheOthers()
    {
        var undone = new List<int>();
        var transaction = new Transaction(NullLogger.Instance);
        transaction.OnRollback("one", () => undone.Add(1));
        transaction.OnRollback("two", () => throw new IOException("undo failed"));
        transaction.OnRollback("three", () => undone.Add(3));

        var act = transaction.Rollback;

        act.Should().NotThrow();
        undone.Should().Equal(3, 1);
    }

    [Fact]
    public void Commit_ThenDispose_UndoesNothing()
    {
        var undone = new List<int>();
        using (var transaction = new Transaction(NullLogger.Instance))
        {
            transaction.OnRollback("one", () => undone.Add(1));
            transaction.Commit();
        }

        undone.Should().BeEmpty();
    }

    [Fact]
    public void Rollback_Twice_UndoesOnce()
    {
        var count = 0;
        var transaction = new Transaction(NullLogger.Instance);
        transaction.OnRollback("count", () => count++);

        transaction.Rollback();
        transaction.Dispose();

        count.Should().Be(1);
    }

    [Fact]
    public void OnRollback_AfterCompletion_ThrowsObjectDisposed()
    {
        var transaction = new Transaction(NullLogger.Instance);
        transaction.Commit();

        var act = () => transaction.OnRollback("late", () => { });

        act.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Dispose_ExceptionInLaterStep_UndoesEarlierSteps()
    {
        var undone = new List<string>();

        var act = () =>
        {
            using var transaction = new Transaction(NullLogger.Instance);
            transaction.OnRollback("step 1", () => undone.Add("step 1"));
            transaction.OnRollback("step 2", () => undone.Add("step 2"));
            throw new InvalidOperationException("step 3 failed");
        };

        act.Should().Throw<InvalidOperationException>().WithMessage("step 3 failed");
        undone.Should().Equal("step 2", "step 1");
    }
}
