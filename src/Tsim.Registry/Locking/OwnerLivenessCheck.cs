namespace Tsim.Registry.Locking;

/// <summary>Decides whether the owner named by a record still runs.</summary>
internal static class OwnerLivenessCheck
{
    /// <summary>Judges the process a record names by its pid, start time and pid namespace.</summary>
    internal static OwnerLiveness Check(int pid, long startTime, string pidNamespace)
    {
        var self = ProcessIdentity.Current;
        if (pid <= 0 || self.PidNamespace.Length == 0 || !string.Equals(pidNamespace, self.PidNamespace, StringComparison.Ordinal))
        {
            return OwnerLiveness.Unknown;
        }

        if (ProcessIdentity.ReadStat(pid) is not { } stat)
        {
            // Unreadable: gone, or hidden by /proc's hidepid, or a failed read. Only the kernel's ESRCH proves death.
            return ProcessIdentity.PidExists(pid) == false ? OwnerLiveness.Dead : OwnerLiveness.Unknown;
        }

        if (stat.StartTime != startTime)
        {
            return OwnerLiveness.Dead; // The pid was reused by a later process.
        }

        // Z (zombie) and X (dead): killed but not yet reaped by its parent; it will never post. A zombie leader whose
        // other threads still run is alive.
        return stat.State is 'Z' or 'X' && !ProcessIdentity.HasLiveThreads(pid) ? OwnerLiveness.Dead : OwnerLiveness.Alive;
    }

    /// <summary>Judges the owner an owner record names.</summary>
    internal static OwnerLiveness Check(OwnerRecord record) => Check(record.Pid, record.StartTime, record.PidNamespace);

    /// <summary>
    /// Judges a bare pid (what the Python implementation records), assumed to be of our pid namespace: dead only
    /// when no such process exists or it is a zombie. A reused pid keeps it "alive": the safe direction.
    /// </summary>
    internal static OwnerLiveness CheckPidOnly(int pid)
    {
        if (pid <= 0)
        {
            return OwnerLiveness.Unknown;
        }

        if (ProcessIdentity.ReadStat(pid) is not { } stat)
        {
            return ProcessIdentity.PidExists(pid) == false ? OwnerLiveness.Dead : OwnerLiveness.Unknown;
        }

        return stat.State is 'Z' or 'X' && !ProcessIdentity.HasLiveThreads(pid) ? OwnerLiveness.Dead : OwnerLiveness.Alive;
    }
}
