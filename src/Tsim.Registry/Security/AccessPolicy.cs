using System.Globalization;
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
/// Group mode (for hosts where a web service, its operators and tsim's own processes share one Unix group): this
/// process creates directories 2770 (setgid, so new files inherit the group), files and semaphores 0660 of that group.
/// It accepts the shapes the other members create, whoever of them created them: directories 2770 or 2775 (what tsim
/// creates and restores at every start) of the group, semaphores 0660 of the group. It never changes the mode of a
/// directory it did not create. docs/ARCHITECTURE.md, "Security model", says what that trusts.
/// </remarks>
internal sealed class AccessPolicy
{
    private const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupDirectoryMode = PrivateDirectoryMode | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.SetGroup;

    /// <summary>The group directory tsim creates, and restores at every start: <see cref="GroupDirectoryMode"/> plus read and search by others.</summary>
    private const UnixFileMode TsimGroupDirectoryMode = GroupDirectoryMode | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupFileMode = PrivateFileMode | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>Mode bits that let someone other than the owner (and the group, in group mode) write.</summary>
    private const int GroupOrOtherWrite = 0b000_010_010;

    private const int PermissionBits = 0b111_111_111_111; // including setuid, setgid and sticky

    private static long s_temporaryCounter;

    private readonly uint _euid;

    private readonly GroupMembers? _members;

    private AccessPolicy(string? groupName, uint? groupId, GroupMembers? members)
    {
        GroupName = groupName;
        GroupId = groupId;
        _members = members;
        _euid = Interop.Libc.GetEUid();
    }

    /// <summary>Gets the private policy of this process's user.</summary>
    internal static AccessPolicy Private { get; } = new(null, null, null);

    internal string? GroupName { get; }

    internal uint? GroupId { get; }

    internal bool IsGroupMode => GroupId is not null;

    /// <summary>Gets the mode new files are created with (before the umask, which <see cref="ApplyToNewFile"/> undoes).</summary>
    internal UnixFileMode FileMode => IsGroupMode ? GroupFileMode : PrivateFileMode;

    /// <summary>Gets <see cref="FileMode"/> as the mode argument of open(2) and sem_open(3).</summary>
    internal uint FileModeBits => (uint)FileMode;

    /// <summary>Builds the policy for an optional group: a name, or a numeric group id (as chgrp(1) takes it).</summary>
    /// <exception cref="RegistryException">No group of that name exists, and it is not a number.</exception>
    internal static AccessPolicy Create(string? group)
    {
        if (string.IsNullOrEmpty(group))
        {
            return Private;
        }

        var entry = Interop.Libc.GetGrNam(group);
        if (entry != 0)
        {
            var groupId = Marshal.PtrToStructure<Interop.Group>(entry).Gid;
            return new AccessPolicy(group, groupId, GroupMembers.FromEntry(groupId, entry));
        }

        return uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out var gid) && gid != uint.MaxValue
            ? new AccessPolicy(group, gid, GroupMembers.FromEntry(gid, Interop.Libc.GetGrGid(gid)))
            : throw new RegistryException($"The group '{group}' configured for the registry (group) does not exist on this host; give an existing group's name or a numeric group id.");
    }

    /// <summary>Creates a directory (and its parents) if needed, with this policy's mode and group, then checks it.</summary>
    /// <exception cref="RegistryException">The directory cannot be created, or fails a check; the message says which and what to do.</exception>
    internal void EnsureDirectory(string path)
    {
        CreateDirectory(path);

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
    /// Checks the file behind a named semaphore before it is mapped (<see cref="Locking.NamedSemaphore"/>): ours (or
    /// a member's of our group), not wider than our mode. It judges the open file itself, so the verdict is about the
    /// object that will be used, whatever happens to the name. In group mode a semaphore of ours is first handed to the
    /// group, on that same file.
    /// </summary>
    /// <exception cref="RegistryException">The semaphore is not ours; the message says what to do.</exception>
    internal void VerifySemaphore(string semaphoreName, SafeFileHandle file, in Interop.Statx status)
    {
        var path = SemaphoreFiles.PathOf(semaphoreName);
        var stat = status;
        if (IsGroupMode && stat.Uid == _euid && (stat.Mode & PermissionBits & ~(int)GroupFileMode) == 0 &&
            (stat.Gid != GroupId || (stat.Mode & PermissionBits) != (int)GroupFileMode))
        {
            // Ours and no wider than 0660, but made before group mode was configured (0600 of our own group): the other
            // members could not open it. It is ours to hand over; a directory is another matter (EnsureDirectory). A
            // wider one is refused below: whoever could write it may hold a handle to it already.
            if (Interop.Libc.FChown(file, uint.MaxValue, GroupId!.Value) != 0)
            {
                throw Errors.ForPath(Marshal.GetLastPInvokeError(), path, $"give to group '{GroupName}'");
            }

            File.SetUnixFileMode(file, GroupFileMode);
            return;
        }

        if (IsGroupMode && stat.Uid != _euid)
        {
            // Another member's. /dev/shm is not setgid, so only a member (or root) can have given it the group. A mode
            // narrower than 0660 (tsim under umask 022 makes 0640) is no risk, only an inconvenience: a member that may
            // not post it failed to open it already (ExplainUnopenableSemaphore); root can.
            if (stat.Gid != GroupId || (stat.Mode & PermissionBits & ~(int)GroupFileMode) != 0)
            {
                throw ForeignSemaphore(path, stat, $"owned by uid {stat.Uid} but not of group '{GroupName}' within mode 0660");
            }

            if (IsKnownNonMember(stat.Uid))
            {
                throw ForeignSemaphore(path, stat, $"owned by uid {stat.Uid}, who is not a member of group '{GroupName}'");
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
    /// Explains why a semaphore that exists could not be opened for posting (EACCES): whose it is and with which mode,
    /// and what fixes it. Returns <see langword="null"/> when the file says nothing more than the error did.
    /// </summary>
    internal RegistryException? ExplainUnopenableSemaphore(string semaphoreName, RegistryException error)
    {
        var path = SemaphoreFiles.PathOf(semaphoreName);
        Interop.Statx? found;
        try
        {
            found = StatNoFollow(path);
        }
        catch (RegistryException)
        {
            return null;
        }

        if (found is not { } stat || stat.Uid == _euid)
        {
            return null;
        }

        var shape = $"mode {Octal(stat.Mode)} of uid {stat.Uid} and gid {stat.Gid}";
        if (IsGroupMode && stat.Gid == GroupId && (stat.Mode & 0b000_010_000) == 0)
        {
            return new RegistryException(
                $"Semaphore '{path}' is {shape}: group '{GroupName}' may not post it, so this user (uid {_euid}) cannot use it. " +
                $"Another member created it under umask 022, which takes the group's write bit from the 0660 it asked for (tsim does this). " +
                $"Fix it once with 'chmod 660 {path}' as its owner (uid {stat.Uid}) or root, and run every user of the registry, tsim included, with umask 002.",
                error);
        }

        return new RegistryException(
            $"Semaphore '{path}' is {shape}, which this user (uid {_euid}) may not post. " +
            (IsGroupMode
                ? $"In group mode every semaphore must be mode 0660 of group '{GroupName}': its owner (uid {stat.Uid}) or root can fix it with 'chgrp {GroupName} {path} && chmod 660 {path}'."
                : $"It belongs to another user: configure the group the registry is shared with (group), or have its owner remove it while no job uses it."),
            error);
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
        // A setgid, group-writable directory is a shared registry (tsim's is 2775): say that group mode is the way in.
        var shared = (stat.Mode & (int)UnixFileMode.SetGroup) != 0 && (stat.Mode & (int)UnixFileMode.GroupWrite) != 0
            ? $" It looks like a registry shared by gid {stat.Gid}: configure that group (group; tsim's is usually 'tsim-users') to join it."
            : string.Empty;
        if (stat.Uid != _euid)
        {
            throw new RegistryException(
                $"{what} '{path}' is owned by uid {stat.Uid}, not by this user (uid {_euid}); another user could control the registry. " +
                "Use a directory of your own, or configure a shared group (group) for a multi-user registry." + shared);
        }

        if ((stat.Mode & GroupOrOtherWrite) != 0)
        {
            throw new RegistryException(
                $"{what} '{path}' is writable by group or others (mode {Octal(stat.Mode)}); anyone could replace registry files." +
                (shared.Length > 0 ? shared : $" Run 'chmod go-w {path}', or configure a shared group (group) for a multi-user registry."));
        }
    }

    /// <summary>
    /// Accepts a directory of the group in either shape members create (2770 here, 2775 by tsim), whoever owns it. Only
    /// a member (or root) can give a directory the group, or create one inside a directory of the group, so the owner is
    /// a member. Anything else is refused, never re-moded: the directory is not this process's to change.
    /// </summary>
    private void CheckGroupDirectory(string path, Interop.Statx stat)
    {
        var mode = stat.Mode & PermissionBits;
        if (stat.Gid != GroupId || (mode != (int)GroupDirectoryMode && mode != (int)TsimGroupDirectoryMode))
        {
            throw new RegistryException(
                $"Directory '{path}' must be mode 2770 or 2775 of group '{GroupName}' (gid {GroupId}) in group mode, but is mode {Octal(stat.Mode)} of gid {stat.Gid} owned by uid {stat.Uid}. " +
                $"Its owner (uid {stat.Uid}) or root can fix it: 'chgrp {GroupName} {path} && chmod 2770 {path}'. This process changes only directories it creates.");
        }

        if (IsKnownNonMember(stat.Uid))
        {
            throw new RegistryException(
                $"Directory '{path}' is owned by uid {stat.Uid}, who is not a member of group '{GroupName}': the owner of a directory can change it at will, so " +
                $"group mode trusts only directories of its members (and root). Root can hand it to a member: 'chown MEMBER {path}'.");
        }
    }

    /// <summary>
    /// Whether the user database says that a uid other than ours and root's is not a member of the group. A uid it does
    /// not know (a container's, a deleted user's) is given the benefit of the object's group, which only a member or
    /// root can have set.
    /// </summary>
    private bool IsKnownNonMember(uint uid) => uid != _euid && uid != 0 && _members?.IsMember(uid) == false;

    /// <summary>
    /// Creates a directory and its missing parents, giving every level this process creates the policy's shape (in
    /// group mode: 2770 of the group, so that the other members can enter the parents too).
    /// </summary>
    /// <returns>Whether this call created <paramref name="path"/> itself (and so shaped it).</returns>
    /// <remarks>
    /// In group mode the directory is prepared under a temporary name and moved into place with
    /// <c>renameat2(RENAME_NOREPLACE)</c>: a directory created in place would be seen by a process starting at the
    /// same moment in the umask's shape (2750 of the creator's group) before the chown and chmod, and refused.
    /// </remarks>
    private bool CreateDirectory(string path)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(path);
        var parent = Path.GetDirectoryName(trimmed);
        if (parent is not null && !Directory.Exists(parent))
        {
            CreateDirectory(parent);
        }

        if (!IsGroupMode || parent is null)
        {
            return Mkdir(trimmed, IsGroupMode ? GroupDirectoryMode : PrivateDirectoryMode, parent);
        }

        var temp = Path.Combine(parent, string.Create(
            CultureInfo.InvariantCulture, $".{Path.GetFileName(trimmed)}.{Environment.ProcessId}.{Interlocked.Increment(ref s_temporaryCounter)}.new"));
        try
        {
            Mkdir(temp, GroupDirectoryMode, parent);
        }
        catch (RegistryException) when (Directory.Exists(trimmed))
        {
            return false; // Created by someone else meanwhile, in a parent this user may not create in.
        }

        try
        {
            Chown(temp);
            File.SetUnixFileMode(temp, GroupDirectoryMode);
            if (Interop.Libc.RenameAt2(Interop.StatxConstants.AT_FDCWD, temp, Interop.StatxConstants.AT_FDCWD, trimmed, Interop.Libc.RENAME_NOREPLACE) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno is Interop.Errno.EEXIST or Interop.Errno.ENOTEMPTY)
            {
                return false; // Someone else's directory: never ours to shape.
            }

            if (errno == Interop.Errno.EINVAL && Mkdir(trimmed, GroupDirectoryMode, parent))
            {
                // A file system without RENAME_NOREPLACE: in place, with the short window described above.
                Chown(trimmed);
                File.SetUnixFileMode(trimmed, GroupDirectoryMode);
                return true;
            }

            return errno == Interop.Errno.EINVAL ? false : throw Errors.ForPath(errno, trimmed, "create directory");
        }
        finally
        {
            TryRemoveDirectory(temp);
        }
    }

    private static bool Mkdir(string path, UnixFileMode mode, string? parent)
    {
        if (Interop.Libc.Mkdir(path, (uint)mode) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            Interop.Errno.EEXIST => false,
            Interop.Errno.EACCES when parent is not null => throw new RegistryException(
                $"Could not create directory '{path}': this user (uid {Interop.Libc.GetEUid()}) may not write to or search its parent '{parent}'. {Errors.Reason(errno)}."),
            _ => throw Errors.ForPath(errno, path, "create directory"),
        };
    }

    private static void TryRemoveDirectory(string path)
    {
        try
        {
            Directory.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Renamed into place: nothing left to remove.
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A hidden empty leftover; harmless.
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
