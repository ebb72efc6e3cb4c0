using System.Diagnostics;
using System.Text;
using Tsim.Registry.Locking;
using Tsim.Registry.Security;
using Tsim.Registry.Tests.Hardening;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

/// <summary>
/// <see cref="OwnerRecordSlot"/>: the mapped 4 KiB owner record page of a lock. Two instances on one file stand for
/// two processes (each maps the same page cache); what a killed writer leaves is planted through plain file writes.
/// </summary>
public sealed class OwnerRecordSlotTests : IDisposable
{
    private const int MaxRecordLength = OwnerRecordSlot.Size - SlotFile.HeaderSize;

    private readonly RegistryTestContext _context = new();
    private readonly string _path;

    public OwnerRecordSlotTests()
    {
        _context.EnsureDirectories();
        _path = _context.SlotPath(_context.HostsLockName);
    }

    public void Dispose() => _context.Dispose();

    private OwnerRecordSlot Open(bool create = true) =>
        _context.Track(OwnerRecordSlot.Open(_path, AccessPolicy.Private, create) ?? throw new InvalidOperationException("no slot file"));

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A record of <paramref name="length"/> bytes all equal to <paramref name="fill"/>: a mix of two is visible.</summary>
    private static byte[] Pattern(char fill, int length) => Enumerable.Repeat((byte)fill, length).ToArray();

    [Fact]
    public void Open_MissingFileWithoutCreate_ReturnsNullAndCreatesNothing()
    {
        OwnerRecordSlot.Open(_path, AccessPolicy.Private, create: false).Should().BeNull();

        File.Exists(_path).Should().BeFalse();
    }

    [Fact]
    public void Open_Create_MakesOnePageOfZerosWithMode0600ThatReadsAsNoRecord()
    {
        var slot = Open();

        new FileInfo(_path).Length.Should().Be(OwnerRecordSlot.Size);
        File.GetUnixFileMode(_path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.ReadAllBytes(_path).Should().OnlyContain(b => b == 0);
        slot.Read().Should().Match<SlotContent>(c => c.Usable && c.Record.Length == 0 && c.Sequence == 0);
    }

    [Fact]
    public void WriteReadClear_RoundTripsTheExactBytesAndAdvancesAnEvenSequence()
    {
        var slot = Open();
        var record = Utf8("{\"lock\":\"x\",\"job_id\":\"job-1\",\"pid\":42}");

        slot.Write(record);
        var written = slot.Read();
        slot.Clear();
        var cleared = slot.Read();

        written.Usable.Should().BeTrue();
        written.Record.Should().Equal(record);
        written.Sequence.Should().Be(2, "a write moves the sequence from even through odd to the next even number");
        cleared.Usable.Should().BeTrue();
        cleared.Record.Should().BeEmpty();
        cleared.Sequence.Should().Be(4);
        SlotFile.Sequence(_path).Should().Be(4, "the sequence lives in the file, where other processes read it");
    }

    [Fact]
    public void Clear_ZeroesEveryByteOfTheOldRecord()
    {
        var slot = Open();
        slot.Write(Pattern('x', 900));

        slot.Clear();

        var bytes = File.ReadAllBytes(_path);
        SlotFile.Length(_path).Should().Be(0);
        bytes.AsSpan(SlotFile.HeaderSize).ToArray().Should().OnlyContain(b => b == 0, "no byte of the previous owner may linger in the file");
    }

    [Fact]
    public void Write_ShorterAfterLonger_ZeroesTheTailOfTheLongerRecord()
    {
        var slot = Open();
        slot.Write(Pattern('L', 700));

        slot.Write(Pattern('s', 10));

        var bytes = File.ReadAllBytes(_path);
        bytes.AsSpan(SlotFile.HeaderSize, 10).ToArray().Should().OnlyContain(b => b == 's');
        bytes.AsSpan(SlotFile.HeaderSize + 10).ToArray().Should().OnlyContain(b => b == 0);
        slot.Read().Record.Should().Equal(Pattern('s', 10));
    }

    [Fact]
    public void Write_LargestRecordThatFits_RoundTrips()
    {
        var slot = Open();

        slot.Write(Pattern('m', MaxRecordLength));

        slot.Read().Record.Should().Equal(Pattern('m', MaxRecordLength));
    }

    [Fact]
    public void Write_RecordTooLong_ThrowsArgumentExceptionAndLeavesTheSlotAsItWas()
    {
        var slot = Open();
        var record = Utf8("{\"job_id\":\"keep\"}");
        slot.Write(record);
        var before = File.ReadAllBytes(_path);

        var act = () => slot.Write(Pattern('x', MaxRecordLength + 1));

        act.Should().Throw<ArgumentException>().WithParameterName("record").WithMessage("*4081 bytes*4080-byte slot*");
        File.ReadAllBytes(_path).Should().Equal(before, "a refused record must not even make the sequence odd");
        slot.Read().Record.Should().Equal(record);
    }

    [Fact]
    public void TwoInstancesOnOneFile_SeeEachOthersWritesAndClears()
    {
        var first = Open();
        var second = Open(create: false);

        first.Write(Utf8("{\"job_id\":\"one\"}"));
        second.Read().Record.Should().Equal(Utf8("{\"job_id\":\"one\"}"));

        second.Clear();
        first.Read().Should().Match<SlotContent>(c => c.Usable && c.Record.Length == 0);

        second.Write(Utf8("{\"job_id\":\"two\"}"));
        var seen = first.Read();
        seen.Record.Should().Equal(Utf8("{\"job_id\":\"two\"}"));
        seen.Sequence.Should().Be(6, "three writes through either instance advance one shared sequence");
    }

    [Fact]
    public void Read_WhileAnotherInstanceHammersWriteAndClear_EveryUsableReadIsEmptyOrAnExactRecord()
    {
        // Different lengths and one fill byte each: a read that mixed two records, or one record's length with
        // another's bytes, or caught the tail being zeroed, equals none of them.
        byte[][] records = [Pattern('a', 1), Pattern('b', 37), Pattern('c', 512), Pattern('d', 2049), Pattern('e', MaxRecordLength)];
        var writerSlot = Open();
        var readerSlot = Open(create: false);
        var stop = 0;
        long writes = 0;
        var writer = new Thread(() =>
        {
            for (var i = 0; Volatile.Read(ref stop) == 0; i++)
            {
                // Longest then shortest and back, with a clear in between now and then.
                var step = i % (records.Length + 1);
                if (step == records.Length)
                {
                    writerSlot.Clear();
                }
                else
                {
                    writerSlot.Write(records[(step * 3) % records.Length]);
                }

                Interlocked.Increment(ref writes);
            }
        })
        { IsBackground = true, Name = "slot-writer" };

        var seen = new int[records.Length];
        int empty = 0, unusable = 0, reads = 0;
        var torn = new List<string>();
        long lastSequence = -1;
        var sequenceWentBack = false;
        writer.Start();
        try
        {
            var clock = Stopwatch.StartNew();
            while (reads < 100_000 && clock.Elapsed < TimeSpan.FromSeconds(2))
            {
                var content = readerSlot.Read();
                reads++;
                if (!content.Usable)
                {
                    unusable++; // The writer was preempted mid-copy for the whole retry budget: allowed, never acted on.
                    continue;
                }

                sequenceWentBack |= content.Sequence < lastSequence;
                lastSequence = content.Sequence;
                (content.Sequence % 2).Should().Be(0, "a usable read is taken at an even sequence");
                if (content.Record.Length == 0)
                {
                    empty++;
                    continue;
                }

                var index = Array.FindIndex(records, r => r.AsSpan().SequenceEqual(content.Record));
                if (index < 0)
                {
                    if (torn.Count < 5)
                    {
                        torn.Add($"{content.Record.Length} bytes of {string.Join('/', content.Record.Distinct().Select(b => b == 0 ? "NUL" : ((char)b).ToString()))}");
                    }

                    continue;
                }

                seen[index]++;
            }
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            writer.Join();
        }

        torn.Should().BeEmpty("a usable read is never a mix of two writes");
        sequenceWentBack.Should().BeFalse();
        Interlocked.Read(ref writes).Should().BeGreaterThan(1000, "the writer must really have raced the reader");
        seen.Count(n => n > 0).Should().BeGreaterThanOrEqualTo(3, $"the reader must have caught several records (seen {string.Join(",", seen)}, {empty} empty, {unusable} unusable of {reads})");
    }

    [Fact]
    public async Task Read_SequenceLeftOdd_GivesUpAndReportsUnusableInsteadOfWaiting()
    {
        var slot = Open();
        var record = Utf8("{\"job_id\":\"half-written\"}");
        slot.Write(record);

        // A writer killed between making the sequence odd and making it even again.
        SlotFile.WriteRaw(_path, sequence: 7, length: record.Length, record);

        // On a thread of its own, so that a Read that never gives up (instead of its bounded spin) fails this test
        // instead of hanging the run. How long the spin takes is the benchmarks' business, not a test's.
        var read = await Task.Run(slot.Read).WaitAsync(TimeSpan.FromSeconds(10));
        read.Usable.Should().BeFalse();
        read.Record.Should().BeEmpty("nothing of a half-written record is handed out");
        read.Sequence.Should().Be(7);
    }

    [Fact]
    public void Write_AfterAWriterDiedMidWrite_LeavesAnEvenSequenceAndAUsableRecord()
    {
        var slot = Open();
        SlotFile.WriteRaw(_path, sequence: 7, length: 3, Utf8("abc"));

        slot.Write(Utf8("{\"job_id\":\"next\"}"));

        var read = slot.Read();
        read.Usable.Should().BeTrue();
        read.Record.Should().Equal(Utf8("{\"job_id\":\"next\"}"));
        read.Sequence.Should().BeGreaterThan(7).And.Match(s => s % 2 == 0);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(MaxRecordLength + 1)]
    [InlineData(int.MaxValue)]
    public void Read_LengthOutOfRangeAtEvenSequence_IsUnusable(int length)
    {
        var slot = Open();
        SlotFile.WriteRaw(_path, sequence: 2, length: length);

        var read = slot.Read();

        read.Usable.Should().BeFalse();
        read.Record.Should().BeEmpty();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public void Open_FileSmallerThanAPage_GrowsItAndWorks(int initialSize)
    {
        File.WriteAllBytes(_path, new byte[initialSize]);

        var slot = Open(create: false);
        slot.Write(Pattern('g', MaxRecordLength));

        new FileInfo(_path).Length.Should().Be(OwnerRecordSlot.Size);
        Open(create: false).Read().Record.Should().Equal(Pattern('g', MaxRecordLength));
    }

    [Fact]
    public void Open_FileLargerThanAPage_IsNotShrunk()
    {
        File.WriteAllBytes(_path, new byte[3 * OwnerRecordSlot.Size]);

        Open(create: false).Write(Utf8("{}"));

        new FileInfo(_path).Length.Should().Be(3 * OwnerRecordSlot.Size);
    }

    [Fact]
    public void Open_SymlinkToARegularFile_IsRefusedAndTheTargetStaysUntouched()
    {
        var target = Path.Combine(_context.RegistryDirectory, "elsewhere.bin");
        var original = new byte[OwnerRecordSlot.Size];
        original[100] = 42;
        File.WriteAllBytes(target, original);
        File.CreateSymbolicLink(_path, target);

        var act = () => OwnerRecordSlot.Open(_path, AccessPolicy.Private, create: true);

        act.Should().Throw<RegistryException>().WithMessage($"*'{_path}'*");
        File.ReadAllBytes(target).Should().Equal(original);
        File.GetUnixFileMode(target).Should().NotBe(UnixFileMode.None);
        FileStatus.Of(_path).IsSymlink.Should().BeTrue();
    }

    [Fact]
    public void Open_DanglingSymlink_IsRefusedAndCreatesNothingBehindIt()
    {
        var target = Path.Combine(_context.RegistryDirectory, "created-behind-the-link");
        File.CreateSymbolicLink(_path, target);

        var act = () => OwnerRecordSlot.Open(_path, AccessPolicy.Private, create: true);

        act.Should().Throw<RegistryException>();
        Path.Exists(target).Should().BeFalse();
    }

    [Fact]
    public void Open_DirectoryUnderTheName_IsRefused()
    {
        Directory.CreateDirectory(_path);

        var act = () => OwnerRecordSlot.Open(_path, AccessPolicy.Private, create: true);

        act.Should().Throw<RegistryException>().WithMessage($"*'{_path}'*");
    }

    [Fact]
    public void Open_FifoUnderTheName_IsRefusedAsNotARegularFile()
    {
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [_path]) { UseShellExecute = false })!)
        {
            mkfifo.WaitForExit();
            mkfifo.ExitCode.Should().Be(0);
        }

        var act = () => OwnerRecordSlot.Open(_path, AccessPolicy.Private, create: true);

        act.Should().Throw<RegistryException>().WithMessage("*not a regular file*");
    }
}
