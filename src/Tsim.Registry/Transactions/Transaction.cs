using Microsoft.Extensions.Logging;
using Tsim.Registry.Diagnostics;

namespace Tsim.Registry.Transactions;

/// <summary>
/// Rollback for an operation of several steps: each completed step registers how to undo it; disposing without
/// <see cref="Commit"/> undoes them in reverse order. One failing undo does not stop the others.
/// </summary>
internal sealed class Transaction : IDisposable
{
    private readonly ILogger _logger;
    private readonly List<RollbackAction> _actions = [];
    private bool _completed;

    internal Transaction(ILogger logger) => _logger = logger;

    /// <summary>Registers how to undo a step that has just succeeded.</summary>
    internal void OnRollback(string description, Action undo)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _actions.Add(new RollbackAction(description, undo));
    }

    /// <summary>Keeps every step: nothing is undone on dispose.</summary>
    internal void Commit()
    {
        _completed = true;
        _actions.Clear();
    }

    /// <summary>Undoes every registered step, most recent first.</summary>
    internal void Rollback()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        for (var i = _actions.Count - 1; i >= 0; i--)
        {
            var action = _actions[i];
            try
            {
                _logger.RollingBack(action.Description);
                action.Undo();
            }
#pragma warning disable CA1031 // An undo that fails must not keep the earlier steps from being undone; it is logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _logger.RollbackFailed(action.Description, ex);
            }
        }

        _actions.Clear();
    }

    public void Dispose() => Rollback();
}
