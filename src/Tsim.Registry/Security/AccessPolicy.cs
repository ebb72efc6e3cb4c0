using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tsim.Registry.Interop;

namespace Tsim.Registry.Security;

/// <summary>
/// Who may touch the registry's directories, files and semaphores, and the checks that hold anyone else off.
/// <c>/dev/shm</c> is writable by every local user, so nothing found there is trusted by its name alone.
/// </summary>
/// <remarks>
/// Private (the default): directories 0700, files and semaphores 0600, all owned by this process's effective user;
/// a directory or semaphore owned by someone else, writable by group or others, or a symlink, is refused.
/// Group mode (for hosts where a web service and its operators share one Unix group): directories 2770 (setgid, so
/// new files inherit the group), files and semaphores 0660 of that group; the checks accept exactly that.
/// </remarks>
internal sealed class AccessPolicy
{
    private const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupDirectoryMode = PrivateDirectoryMode | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.SetGroup;
    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupFileMode = PrivateFileMode | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>Mode bits that let someone other than the owner (and the group, in group mode) write.</summary>
    private const int GroupOrOtherWrite = 0b000_010_010;

    private const int PermissionBits = 0b111_111_111_111; // including setuid, setgid and sticky

    private readonly uint _euid;

    private AccessPolicy(string? groupName, uint? groupId)
    {
        GroupName = groupName;
        GroupId = groupId;
        _euid = Interop.Libc.GetEUid();
    }

    /// <summary>Gets the private policy of this process's user.</summary>
    internal static AccessPolicy Private { get; } = new(null, null);

    internal string? GroupName { get; }

    internal uint? GroupId { get; }

    internal bool IsGroupMode => GroupId is not null;

    /// <summary>Gets the mode new files are created with (before the umask, which <see cref="ApplyToNewFile"/> undoes).</summary>
    internal UnixFileMode FileMode => IsGroupMode ? GroupFileMode : PrivateFileMode;

    /// <summary>Gets <see cref="FileMode"/> as the mode argument of open(2) and sem_open(3).</summary>
    internal uint FileModeBits => (uint)FileMode;

    /// <summary>Builds the policy for an optional group name.</summary>
    /// <exception cref="RegistryException">No such group exists.</exception>
    internal static AccessPolicy Create(string? groupName)
    {
        if (string.IsNullOrEmpty(groupName))
        {
            return Private;
        }

        var entry = Interop.Libc.GetGrNam(groupName);
        if (entry == 0)
        {
            throw new RegistryException($"The group '{groupName}' configured for the registry (group) does not exist on this host.");
        }

        return new AccessPolicy(groupName, Marshal.PtrToStructure<Interop.Group>(entry).Gid);
    }

    /// <summary>Creates a directory (and its parents) if needed, with this policy's mode and group, then checks it.</summary>
    /// <exception cref="RegistryException">The directory cannot be created, or fails a check; the message says which and what to do.</exception>
    internal void EnsureDirectory(string path)
    {
        try
        {
            if (!Directory.Exists(path))
            {
                Directory.CreateDirectory(path, IsGroupMode ? GroupDirectoryMode : PrivateDirectoryMode);
                if (IsGroupMode)
                {
                    // The umask strips group write and mkdir ignores setgid: set both explicitly, then hand it over.
                    Chown(path);
                    File.SetUnixFileMode(path, GroupDirectoryMode);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RegistryException($"Could not create directory '{path}': {ex.Message}", ex);
        }

        var stat = StatNoFollow(path) ?? throw new RegistryException($"Directory '{path}' vanished right after it was created.");
        if ((stat.Mode & Interop.StatxConstants.S_IFMT) == Interop.StatxConstants.S_IFLNK)
        {
            throw new RegistryException(
                $"Directory '{path}' is a symbolic link; the registry refuses to follow it, since anyone can plant links in /dev/shm. Remove the link, or configure the real path.");
        }

        if ((stat.Mode & Interop.StatxConstants.S_IFMT) != Interop.StatxConstants.S_IFDIR)
        {
            throw new RegistryException($"'{path}' is not a directory.");
        }

        if (IsGroupMode)
        {
            CheckGroupDirectory(path, stat);
        }
        else
        {
            CheckPrivate(path, stat, "Directory");
        }
    }

    /// <summary>
    /// Checks the file behind a named semaphore that was just opened: ours (or our group's), not wider than our
    /// mode. A semaphore this process created is first handed to the group in group mode.
    /// </summary>
    /// <exception cref="RegistryException">The semaphore is not ours; the message says what to do.</exception>
    internal void VerifySemaphore(string semaphoreName, bool createdHere)
    {
        var path = SemaphoreFiles.PathOf(semaphoreName);
        if (createdHere && IsGroupMode)
        {
            Chown(path);
            File.SetUnixFileMode(path, GroupFileMode);
        }

        if (StatNoFollow(path) is not { } stat)
        {
            return; // Unlinked in between by someone else: the open handle still works, nothing to judge.
        }

        if (IsGroupMode && stat.Uid != _euid)
        {
            if (stat.Gid != GroupId || (stat.Mode & PermissionBits) != (int)GroupFileMode)
            {
                throw ForeignSemaphore(path, stat, $"owned by uid {stat.Uid} but not mode 0660 of group '{GroupName}'");
            }

            return;
        }

        if (stat.Uid != _euid)
        {
            throw ForeignSemaphore(path, stat, $"owned by uid {stat.Uid}, not by this user (uid {_euid})");
        }

        var allowed = IsGroupMode ? (int)GroupFileMode : (int)PrivateFileMode;
        if ((stat.Mode & PermissionBits & ~allowed) != 0)
        {
            throw ForeignSemaphore(path, stat, $"mode {Octal(stat.Mode)}, wider than {Octal(allowed)}");
        }
    }

    /// <summary>
    /// Gives a file this process may just have created the policy's mode (the umask may have narrowed it). A file
    /// another group member created is left as it is: only its owner may change its mode, and it already has this one.
    /// </summary>
    internal void ApplyToNewFile(SafeFileHandle handle)
    {
        if (!IsGroupMode)
        {
            return;
        }

        try
        {
            // The group comes from the setgid directory; only the group write bit can have been lost to the umask.
            File.SetUnixFileMode(handle, GroupFileMode);
        }
        catch (UnauthorizedAccessException)
        {
            // EPERM: not ours. See above.
        }
    }

    private void CheckPrivate(string path, Interop.Statx stat, string what)
    {
        if (stat.Uid != _euid)
        {
            throw new RegistryException(
                $"{what} '{path}' is owned by uid {stat.Uid}, not by this user (uid {_euid}); another user could control the registry. " +
                "Use a directory of your own, or configure a shared group (group) for a multi-user registry.");
        }

        if ((stat.Mode & GroupOrOtherWrite) != 0)
        {
            throw new RegistryException(
                $"{what} '{path}' is writable by group or others (mode {Octal(stat.Mode)}); anyone could replace registry files. " +
                $"Run 'chmod go-w {path}', or configure a shared group (group) for a multi-user registry.");
        }
    }

    private void CheckGroupDirectory(string path, Interop.Statx stat)
    {
        if (stat.Uid == _euid && (stat.Gid != GroupId || (stat.Mode & PermissionBits) != (int)GroupDirectoryMode))
        {
            // Our own directory (perhaps from before group mode was configured): bring it into shape.
            Chown(path);
            File.SetUnixFileMode(path, GroupDirectoryMode);
            stat = StatNoFollow(path) ?? stat;
        }

        if (stat.Gid != GroupId || (stat.Mode & PermissionBits) != (int)GroupDirectoryMode)
        {
            throw new RegistryException(
                $"Directory '{path}' must be mode 2770 of group '{GroupName}' in group mode, but is mode {Octal(stat.Mode)} of gid {stat.Gid} owned by uid {stat.Uid}. " +
                $"Its owner can fix it: 'chgrp {GroupName} {path} && chmod 2770 {path}'.");
        }
    }

    private void Chown(string path)
    {
        // -1 (uint.MaxValue) keeps the owner; only the group changes.
        if (Interop.Libc.LChown(path, uint.MaxValue, GroupId!.Value) != 0)
        {
            throw Errors.ForPath(Marshal.GetLastPInvokeError(), path, $"give to group '{GroupName}'");
        }
    }

    private static RegistryException ForeignSemaphore(string path, Interop.Statx stat, string finding) =>
        new($"Semaphore '{path}' is {finding}: someone else created it, so it cannot be trusted for mutual exclusion. " +
            $"Make sure no job runner is using it, then remove it ('rm {path}'); the next acquire recreates it. (mode {Octal(stat.Mode)}, uid {stat.Uid}, gid {stat.Gid})");

    private static Interop.Statx? StatNoFollow(string path)
    {
        if (Interop.Libc.Statx(Interop.StatxConstants.AT_FDCWD, path, Interop.StatxConstants.AT_SYMLINK_NOFOLLOW, Interop.StatxConstants.STATX_BASIC_STATS, out var stat) == 0)
        {
            return stat;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Interop.Errno.ENOENT ? null : throw Errors.ForPath(errno, path, "inspect");
    }

    private static string Octal(int mode) => "0" + Convert.ToString(mode & PermissionBits, 8).PadLeft(3, '0');
}
