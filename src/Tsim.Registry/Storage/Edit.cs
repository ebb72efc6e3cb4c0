namespace Tsim.Registry.Storage;

/// <summary>
/// What a change made inside <see cref="RegistryIO.Update{T, TResult}"/> reports: its result, and whether it changed the
/// document (which must then be written back) or only looked at it (nothing is written).
/// </summary>
/// <typeparam name="TResult">The change's result.</typeparam>
/// <param name="Result">The result handed back to the caller.</param>
/// <param name="Changed">Whether the document was changed and must be written.</param>
internal readonly record struct Edit<TResult>(TResult Result, bool Changed);

/// <summary>Builds <see cref="Edit{TResult}"/> values.</summary>
internal static class Edit
{
    /// <summary>The change changed the document: write it.</summary>
    internal static Edit<TResult> Changed<TResult>(TResult result) => new(result, Changed: true);

    /// <summary>The change only looked: write nothing.</summary>
    internal static Edit<TResult> Unchanged<TResult>(TResult result) => new(result, Changed: false);
}
