using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tsim.Registry.Interop;
using Tsim.Registry.Security;

namespace Tsim.Registry.Locking;

/// <summary>
/// A lock's owner record in a small file that every process maps shared (<c>LOCKDIR/.LOCKNAME.owner</c>): writing
/// or clearing the record is a copy into memory, no system call, where creating and unlinking a record file costs
/// about 11 µs per lock cycle (benchmarks/RESULTS.md, micro benchmarks). The file is created once and never deleted or shrunk.
/// </summary>
/// <remarks>
/// <para>
/// Layout: an 8-byte sequence number, a 4-byte record length, the 4-byte gate word (OwnerRecordSlot.GateWord.cs), then
/// the record's JSON. Only the
/// lock's holder writes (the semaphore serialises holders; recovery clears a dead holder's record before it posts),
/// and it writes as a seqlock: the sequence becomes odd, the record is copied, the sequence becomes even. A reader
/// copies the record between two reads of the sequence and keeps the copy only when both are the same even number,
/// so it never acts on a torn record. A holder killed in the middle of the copy leaves the sequence odd; readers
/// then report the record as unusable, which never recovers the lock (the operator override does).
/// </para>
/// <para>
/// Writes to a mapping produce no inotify event. That is why registry locks (always waited for by a blocking
/// <c>sem_clockwait</c>, which the post wakes) and, in registries not shared with Python, router locks (whose
/// release also touches the notify file) are the only locks that use it.
/// </para>
/// </remarks>
internal sealed unsafe partial class OwnerRecordSlot : IDisposable
{
    /// <summary>The size of the file and of the mapping: one page.</summary>
    internal const int Size = 4096;

    private const int HeaderSize = 16;
    /// <summary>The longest record a slot holds.</summary>
    internal const int MaxRecordLength = Size - HeaderSize;
    private const int ReadAttempts = 1000;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _start;
    private int _disposed;

    private OwnerRecordSlot(MemoryMappedFile file, MemoryMappedViewAccessor view)
    {
        _file = file;
        _view = view;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _start = pointer + view.PointerOffset;
    }

    private ref long Sequence => ref *(long*)_start;

    private ref int Length => ref *(int*)(_start + 8);

    /// <summary>Opens (creating when asked) and maps a lock's slot file.</summary>
    /// <returns>
    /// <see langword="null"/> when <paramref name="create"/> is false and the file does not exist or its page cannot be
    /// reserved (a full file system): the lock then has no usable record, as far as this reader can tell.
    /// </returns>
    /// <exception cref="RegistryException">The file cannot be opened or mapped, or is not a regular file of at least one page.</exception>
    internal static OwnerRecordSlot? Open(string path, AccessPolicy policy, bool create)
    {
        var flags = (create ? Interop.OpenFlags.O_RDWR | Interop.OpenFlags.O_CREAT : Interop.OpenFlags.O_RDWR) |
            Interop.OpenFlags.O_NOFOLLOW | Interop.OpenFlags.O_CLOEXEC;
        var handle = Interop.Libc.Open(path, flags, policy.FileModeBits);
        if (handle.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            return errno == Interop.Errno.ENOENT && !create ? null : throw Errors.ForPath(errno, path, "open the owner record slot");
        }

        // The descriptor is closed once the page is mapped: the mapping needs none, and a manager that has held many
        // routers would otherwise keep one per slot open beside the semaphore's.
        using (handle)
        {
            return Map(path, handle, policy, create);
        }
    }

    /// <summary>Publishes <paramref name="record"/> (UTF-8 JSON) as the owner record. Called by the holder only.</summary>
    /// <exception cref="ArgumentException">The record does not fit the slot.</exception>
    /// <exception cref="ObjectDisposedException">The slot was disposed.</exception>
    internal void Write(ReadOnlySpan<byte> record)
    {
        if (record.Length > MaxRecordLength)
        {
            throw new ArgumentException($"An owner record of {record.Length} bytes does not fit its {MaxRecordLength}-byte slot.", nameof(record));
        }

        using var mapping = Pin();
        var odd = (Volatile.Read(ref Sequence) + 1) | 1;
        Volatile.Write(ref Sequence, odd);
        Interlocked.MemoryBarrier(); // The odd sequence is visible before any byte of the record changes.
        var previous = Math.Clamp(Length, 0, MaxRecordLength);
        Length = record.Length;
        record.CopyTo(new Span<byte>(_start + HeaderSize, record.Length));
        if (previous > record.Length)
        {
            // No stale bytes of an earlier owner linger in the file for someone to misread.
            new Span<byte>(_start + HeaderSize + record.Length, previous - record.Length).Clear();
        }

        Volatile.Write(ref Sequence, odd + 1); // Release: the record is complete before the sequence is even again.
    }

    /// <summary>Removes the owner record (the lock is free or about to be posted).</summary>
    internal void Clear() => Write([]);

    /// <summary>Reads a consistent copy of the slot.</summary>
    /// <exception cref="ObjectDisposedException">The slot was disposed.</exception>
    internal SlotContent Read()
    {
        using var mapping = Pin();
        for (var attempt = 0; attempt < ReadAttempts; attempt++)
        {
            var before = Volatile.Read(ref Sequence);
            if ((before & 1) != 0)
            {
                Thread.SpinWait(20); // A holder is copying its record right now (a few hundred nanoseconds).
                continue;
            }

            var length = Length;
            var copy = length is > 0 and <= MaxRecordLength ? new ReadOnlySpan<byte>(_start + HeaderSize, length).ToArray() : [];
            Interlocked.MemoryBarrier(); // The copy is complete before the sequence is read again.
            if (Volatile.Read(ref Sequence) != before)
            {
                continue;
            }

            return length is >= 0 and <= MaxRecordLength
                ? new SlotContent(before, copy, Usable: true)
                : new SlotContent(before, [], Usable: false);
        }

        // Odd for a thousand tries: a holder died in the middle of writing. Nothing readable; the lock is not
        // recovered automatically.
        return new SlotContent(Volatile.Read(ref Sequence), [], Usable: false);
    }

    /// <summary>
    /// Releases this instance's hold on the mapping. A thread still reading or writing keeps the page mapped until it
    /// is done (<see cref="Pin"/>): unmapping under it would end the process with SIGSEGV.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    /// <summary>
    /// Counts one more user of the mapping for the duration of one access, so that a concurrent Dispose only unmaps
    /// the page when the last access is done (the SafeHandle reference count does this).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The slot was disposed before the access began.</exception>
    private MappingUse Pin()
    {
        var added = false;
        try
        {
            _view.SafeMemoryMappedViewHandle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            throw new ObjectDisposedException(nameof(OwnerRecordSlot));
        }

        return new MappingUse(_view.SafeMemoryMappedViewHandle);
    }

    /// <returns><see langword="null"/> for a reader (<paramref name="create"/> false) when the page cannot be reserved.</returns>
    private static OwnerRecordSlot? Map(string path, SafeFileHandle handle, AccessPolicy policy, bool create)
    {
        policy.ApplyToNewFile(handle);
        if (Interop.Libc.Statx(handle, string.Empty, Interop.StatxConstants.AT_EMPTY_PATH, Interop.StatxConstants.STATX_BASIC_STATS, out var stat) != 0)
        {
            throw Errors.ForPath(Marshal.GetLastPInvokeError(), path, "inspect the owner record slot");
        }

        if ((stat.Mode & Interop.StatxConstants.S_IFMT) != Interop.StatxConstants.S_IFREG)
        {
            throw new RegistryException($"The owner record slot '{path}' is not a regular file. Remove it; it is recreated on the next acquisition.");
        }

        // Reserve the page (growing the file to it) before mapping, in every process and every time: a page of a sparse
        // tmpfs file is allocated when a mapping first touches it, and on a full file system that touch raises SIGBUS,
        // which ends the process (holding the lock, with no record) instead of failing this call. Nothing ever shrinks
        // the file, so a mapping never reaches past its end either.
        int error;
        do
        {
            error = Interop.Libc.PosixFallocate(handle, 0, Size);
        }
        while (error == Interop.Errno.EINTR);

        if (error != 0)
        {
            // A reader only looks: no usable record, which never triggers recovery. A holder must not go on without one.
            return create ? throw Errors.ForPath(error, path, "reserve the owner record slot") : null;
        }

        try
        {
            var file = MemoryMappedFile.CreateFromFile(handle, mapName: null, capacity: 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
            try
            {
                var slot = new OwnerRecordSlot(file, file.CreateViewAccessor(0, Size, MemoryMappedFileAccess.ReadWrite));
                file.Dispose(); // The view stays mapped; the file object held the descriptor (see Open).
                return slot;
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // ENOMEM at vm.max_map_count, for instance.
            throw new RegistryException($"Could not map the owner record slot '{path}': {ex.Message}", ex);
        }
    }
}
