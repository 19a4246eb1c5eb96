using System;

namespace GameAgent;

/// <summary>
/// "Catch": balls fall one at a time from the top of a unit square; a paddle on the bottom edge
/// moves left or right to catch them. One call to <see cref="Tick"/> advances the game by one
/// fixed 1/60 s frame. No allocation after construction.
/// </summary>
/// <remarks>
/// Coordinates: x in [0, 1] left to right, y in [0, 1] bottom to top. A ball appears at the top at a
/// random x with a random sideways speed, bounces off the side walls and reaches the bottom after
/// <see cref="FallTicks"/> frames (0.75 s). It is caught if the paddle, <see cref="PaddleWidth"/>
/// wide, overlaps it then; the next ball appears on the next frame. The paddle moves 0.02 field
/// widths per frame, so it can go from one wall to the other in 40 frames, less than a ball's fall:
/// every ball is reachable, but only if the paddle starts moving the right way early. A paddle that
/// moves at random catches about 23% of the balls (Program.cs measures it).
/// </remarks>
public sealed class CatchGame
{
    public const float PaddleWidth = 0.2f;
    public const float BallRadius = 0.02f;
    public const float PaddleSpeed = 0.02f;   // field widths per frame
    public const float MaxBallSpeedX = 0.01f; // field widths per frame, either way
    public const int FallTicks = 45;

    /// <summary>The three moves of the paddle, the agent's actions.</summary>
    public const int Left = 0, Stay = 1, Right = 2, ActionCount = 3;

    private const float FallSpeed = 1f / FallTicks;

    private readonly Random _random;

    public CatchGame(Random random)
    {
        _random = random;
        PaddleX = 0.5f;
        SpawnBall();
    }

    /// <summary>Centre of the paddle.</summary>
    public float PaddleX { get; private set; }

    /// <summary>Centre of the falling ball.</summary>
    public float BallX { get; private set; }

    /// <summary>Height of the falling ball.</summary>
    public float BallY { get; private set; }

    /// <summary>Sideways speed of the falling ball, in field widths per frame.</summary>
    public float BallSpeedX { get; private set; }

    /// <summary>
    /// Advances one frame with the paddle's move. Returns +1 when the ball was caught this frame,
    /// −1 when it was missed, 0 while it is still falling. After +1 or −1 a new ball is in play.
    /// </summary>
    public int Tick(int action)
    {
        float move = action switch
        {
            Left => -PaddleSpeed,
            Right => PaddleSpeed,
            _ => 0f,
        };
        PaddleX = Math.Clamp(PaddleX + move, PaddleWidth / 2, 1 - PaddleWidth / 2);

        BallX += BallSpeedX;
        if (BallX < 0 || BallX > 1)
        {
            BallX = BallX < 0 ? -BallX : 2 - BallX; // reflect off the wall
            BallSpeedX = -BallSpeedX;
        }

        BallY -= FallSpeed;
        if (BallY > 0.0001f) // still falling (the margin absorbs float rounding of 45 × 1/45)
        {
            return 0;
        }

        bool caught = MathF.Abs(BallX - PaddleX) <= PaddleWidth / 2 + BallRadius;
        SpawnBall();
        return caught ? 1 : -1;
    }

    /// <summary>
    /// What the agent sees, each feature scaled to about [−1, 1]: the ball's position relative to the
    /// paddle, the ball's height, its sideways speed, and the paddle's position in the field.
    /// </summary>
    public void Observe(Span<float> features)
    {
        features[0] = 2 * (BallX - PaddleX);
        features[1] = 2 * BallY - 1;
        features[2] = BallSpeedX / MaxBallSpeedX;
        features[3] = 2 * PaddleX - 1;
    }

    /// <summary>Number of values <see cref="Observe"/> writes.</summary>
    public const int FeatureCount = 4;

    private void SpawnBall()
    {
        BallX = (float)_random.NextDouble();
        BallY = 1;
        BallSpeedX = (float)((2 * _random.NextDouble() - 1) * MaxBallSpeedX);
    }
}
