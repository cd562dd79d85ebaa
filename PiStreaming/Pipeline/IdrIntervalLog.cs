using Microsoft.Extensions.Logging;

namespace PiStreaming.Pipeline;

/// <summary>
/// Says in the log how far apart the IDR pictures of a camera's own H.264 are, the first time and whenever a
/// longer interval shows up. A new H.264 viewer starts at an IDR picture (at once from the join cache while the
/// latest one is recent enough), and a viewer that fell behind resumes at one; webcams choose their own interval,
/// often several seconds, and the server leaves that setting of theirs alone.
/// </summary>
/// <param name="joinCachePictures">how many pictures a new viewer can start with at once (see <see cref="Fanout.Broadcaster.JoinCachePictures"/>).</param>
internal sealed class IdrIntervalLog(string source, int joinCachePictures, TimeProvider time, ILogger logger)
{
    private const long BeforeFirstIdr = -1;

    private long picturesSinceIdr = BeforeFirstIdr;
    private long idrAt;
    private long longestLogged;

    public void Observe(EncodedPicture picture)
    {
        if (picturesSinceIdr != BeforeFirstIdr)
        {
            picturesSinceIdr++;
        }

        if (picture.Type != PictureType.I)
        {
            return;
        }

        if (picturesSinceIdr > longestLogged)
        {
            longestLogged = picturesSinceIdr;
            var seconds = time.GetElapsedTime(idrAt, picture.FrameReadAt).TotalSeconds;
            if (picturesSinceIdr > joinCachePictures)
            {
                logger.LogWarning("{Source}: an IDR picture every {Pictures} pictures ({Seconds:0.#} s), more than the {Cache} a new H.264 viewer "
                    + "can start with at once: a new viewer may wait that long for its first picture, and one that falls behind as long to resume "
                    + "(the camera's own key-frame setting, left as it is; v4l2-ctl --list-ctrls shows whether a webcam has one)",
                    source, picturesSinceIdr, seconds, joinCachePictures);
            }
            else
            {
                logger.LogInformation("{Source}: an IDR picture every {Pictures} pictures ({Seconds:0.#} s); new H.264 viewers start at one",
                    source, picturesSinceIdr, seconds);
            }
        }

        picturesSinceIdr = 0;
        idrAt = picture.FrameReadAt;
    }
}
