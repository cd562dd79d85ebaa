using System.IO.Pipes;
using PiStreaming.Processes;

namespace PiStreaming.Tests.Unit;

public class PipeCapacityTests
{
    private static readonly FrameFormat Vga = new(640, 480);

    [Test]
    public async Task A_grown_pipe_takes_a_whole_raw_frame_with_no_reader_waiting()
    {
        using var reading = new AnonymousPipeServerStream(PipeDirection.In);
        using var writing = new AnonymousPipeClientStream(PipeDirection.Out, reading.ClientSafePipeHandle);

        var capacity = PipeCapacity.TryGrow(writing, Vga.FrameSize);

        Assert.That(capacity, Is.GreaterThanOrEqualTo(Vga.FrameSize), "the pipe holds a 640x480 frame (the system allows 1 MiB)");
        // A pipe of the default 64 KiB would hold the write until someone reads: the frame would go in pieces.
        await writing.WriteAsync(new byte[Vga.FrameSize]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var frame = new byte[Vga.FrameSize];
        Assert.That(reading.Read(frame), Is.EqualTo(Vga.FrameSize), "the frame comes out in one read");
    }

    [Test]
    public void Streams_that_are_not_pipes_and_small_sizes_are_left_alone()
    {
        using var reading = new AnonymousPipeServerStream(PipeDirection.In);

        Assert.That(PipeCapacity.TryGrow(new MemoryStream(), Vga.FrameSize), Is.Null);
        Assert.That(PipeCapacity.TryGrow(reading, PipeCapacity.Default), Is.Null);
    }
}
