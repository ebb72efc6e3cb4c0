using System.Runtime.InteropServices;

namespace Tsim.Registry.Security;

/// <summary>
/// Who belongs to the registry's group according to the group and user databases: the group's listed (supplementary)
/// members and every user whose primary group it is. Used to decide whether the owner of a directory or semaphore of
/// the group, who can change it at will, is one of the peers group mode trusts.
/// </summary>
internal sealed class GroupMembers
{
    private readonly uint _groupId;
    private readonly HashSet<string> _listed;

    private GroupMembers(uint groupId, HashSet<string> listed)
    {
        _groupId = groupId;
        _listed = listed;
    }

    /// <summary>Reads the listed members from a <c>struct group</c> (or none when there is no entry).</summary>
    internal static GroupMembers FromEntry(uint groupId, nint groupEntry)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        if (groupEntry != 0 && Marshal.PtrToStructure<Interop.Group>(groupEntry).Members is var members and not 0)
        {
            for (var i = 0; Marshal.ReadIntPtr(members, i * IntPtr.Size) is var member and not 0; i++)
            {
                if (Marshal.PtrToStringUTF8(member) is { } name)
                {
                    listed.Add(name);
                }
            }
        }

        return new GroupMembers(groupId, listed);
    }

    /// <summary>
    /// Whether a uid is a member: <see langword="true"/> or <see langword="false"/> per the databases, or
    /// <see langword="null"/> when the user database has no entry for it (a container's or a deleted user's uid), where
    /// the object's group is the only evidence there is.
    /// </summary>
    internal unsafe bool? IsMember(uint uid)
    {
        var length = 1024;
        while (true)
        {
            var buffer = new byte[length];
            Interop.Passwd entry;
            Interop.Passwd* result;
            int error;
            fixed (byte* start = buffer)
            {
                error = Interop.Libc.GetPwUidR(uid, &entry, start, (nuint)buffer.Length, &result);
                if (error == 0)
                {
                    return result is null
                        ? null
                        : entry.Gid == _groupId || (Marshal.PtrToStringUTF8(entry.Name) is { } name && _listed.Contains(name));
                }
            }

            if (error != Interop.Libc.ERANGE || length >= 1 << 20)
            {
                return null; // The database could not be read (an NSS backend down): no evidence either way.
            }

            length *= 4;
        }
    }
}
