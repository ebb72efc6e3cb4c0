namespace Tsim.Registry.Transactions;

/// <summary>One undo step of a <see cref="Transaction"/>, with a description for the log.</summary>
internal sealed record RollbackAction(string Description, Action Undo);
