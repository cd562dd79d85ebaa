using System.IO.Pipes;
using Microsoft.Win32.SafeHandles;
using PiStreaming.Processes;

namespace PiStreaming.Sources;

/// <summary>
/// Standard input as a stream whose reads a stop can cancel. Console's own stream blocks in read(2),
/// which nothing interrupts: a silent producer (<c>sleep 60 | PiStreaming --source stdin</c>) would
/// hold up every stop.
/// </summary>
internal static class StandardInput
{
    /// <summary>Opens fd 0; the stream owns it (nothing else reads standard input).</summary>
    /// <param name="frameBytes">the size of one raw frame: a pipe is grown to hold one (see <see cref="PipeCapacity"/>).</param>
    public static Stream Open(int frameBytes)
    {
        // Owned: .NET's pipe stream hangs when disposed over a descriptor it does not own.
        var handle = new SafePipeHandle(0, ownsHandle: true);
        try
        {
            PipeCapacity.TryGrow(handle, frameBytes);
            // The usual case, a camera tool piped in (or a socket from a service manager): a pending read
            // waits in the runtime's event loop and ends at once when cancelled.
            return new AnonymousPipeClientStream(PipeDirection.In, handle);
        }
        catch (IOException)
        {
            // Not a pipe or socket ("Invalid pipe handle"): a terminal, a file or a device, whose reads
            // cannot be interrupted, so a cancelled read is left behind.
            handle.SetHandleAsInvalid(); // keeps fd 0 open for the console stream
            return new AbandonableReadStream(Console.OpenStandardInput());
        }
    }
}
