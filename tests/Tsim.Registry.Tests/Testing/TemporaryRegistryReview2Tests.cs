namespace Tsim.Registry.Tests.Testing;

/// <summary>
/// From the second adversarial review of <see cref="TemporaryRegistry"/>: a leftover whose subdirectory is swapped for
/// a symbolic link while it is removed (a path-based recursive delete followed it out of the tree).
/// </summary>
public sealed class TemporaryRegistryReview2Tests
{
    /// <summary>
    /// RemoveLeftovers skips a leftover that IS a symlink, and .NET's recursive delete unlinks symlinks it finds inside;
    /// but the walk is by path (readdir, then opendir of PARENT/NAME), so a directory inside the leftover that is
    /// replaced by a symlink between the two is followed, and files outside the leftover are deleted. Anyone who can
    /// write /dev/shm can plant a "leftover" of an exited pid and swap a subdirectory while the cleanup (often run as
    /// root in CI: tsim-registry remove-temporary) walks it. Nothing outside the leftover may ever be deleted: the tree
    /// is removed by descriptors (DirectoryTree). The swap runs on a thread of its own; on the path-based delete, the
    /// first trial usually lost files outside the leftover.
    /// </summary>
    [Fact]
    public void RemoveLeftovers_SubdirectorySwappedForASymlinkDuringTheDelete_NeverDeletesOutsideTheLeftover()
    {
        using var scratch = new TemporaryRegistry();
        var parent = Path.Combine(scratch.Directory, "parent");
        var outside = Path.Combine(scratch.Directory, "outside");
        var exited = Leftovers.ExitedProcess();
        var lost = 0;
        for (var trial = 0; trial < 1000 && lost == 0; trial++)
        {
            Directory.CreateDirectory(outside);
            for (var i = 0; i < 50; i++)
            {
                File.WriteAllText(Path.Combine(outside, $"precious-{i}"), "x");
            }

            var leftover = Path.Combine(parent, $"{TemporaryRegistry.PrefixStart}{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}.{exited.FileNameForm}");
            var sub = Path.Combine(leftover, "registry");
            var link = Path.Combine(leftover, ".link");
            Directory.CreateDirectory(sub);
            for (var i = 0; i < 200; i++)
            {
                File.WriteAllText(Path.Combine(leftover, $"f{i}"), "x");
            }

            for (var i = 0; i < 50; i++)
            {
                File.WriteAllText(Path.Combine(sub, $"r{i}"), "x");
            }

            Directory.CreateSymbolicLink(link, outside);
            var stop = 0;

            // renameat2(RENAME_EXCHANGE): 'registry' is the directory, then the symlink, then the directory, ... until
            // the cleanup has removed one of the two names.
            var swapper = new Thread(() =>
            {
                while (Volatile.Read(ref stop) == 0 &&
                    Tsim.Registry.Interop.Libc.RenameAt2(Tsim.Registry.Interop.StatxConstants.AT_FDCWD, sub, Tsim.Registry.Interop.StatxConstants.AT_FDCWD, link, RenameExchange) == 0)
                {
                }
            });
            swapper.Start();
            try
            {
                _ = TemporaryRegistry.RemoveLeftovers(parent);
            }
            finally
            {
                Volatile.Write(ref stop, 1);
                swapper.Join();
            }

            lost = 50 - Directory.GetFiles(outside).Length;
            Directory.Delete(parent, recursive: true);
            Directory.Delete(outside, recursive: true);
        }

        lost.Should().Be(0, "RemoveLeftovers must never delete files outside the leftover it removes");
    }

    /// <summary>renameat2(2) flag: exchange the two names atomically.</summary>
    private const uint RenameExchange = 2;

}
