using System;

namespace Embedded;

/// <summary>
/// The game: balls fall one at a time through a unit square, and a paddle on the bottom edge moves
/// left or right to catch them. <see cref="Tick"/> advances one 1/60 s frame. Allocates nothing.
/// </summary>
/// <remarks>
/// A ball starts at the top at a random x with a random sideways speed (bouncing off the walls) and
/// lands after 45 frames. The paddle (0.2 wide) can go from wall to wall in 40 frames: every ball is
/// reachable if the paddle heads the right way early. Moving at random catches about 23% of them.
/// </remarks>
public sealed class Catch
{
    public const int Left = 0, Stay = 1, Right = 2, Actions = 3, Features = 4;
    private const float PaddleWidth = 0.2f, BallRadius = 0.02f, PaddleSpeed = 0.02f, MaxBallSpeedX = 0.01f;
    private const int FallTicks = 45;

    private readonly Random _random;
    private float _paddleX = 0.5f, _ballX, _ballY, _ballSpeedX;

    public Catch(Random random)
    {
        _random = random;
        SpawnBall();
    }

    /// <summary>Advances one frame. Returns +1 if the ball was caught this frame, −1 if it was missed, else 0.</summary>
    public int Tick(int action)
    {
        float move = action == Left ? -PaddleSpeed : action == Right ? PaddleSpeed : 0f;
        _paddleX = Math.Clamp(_paddleX + move, PaddleWidth / 2, 1 - PaddleWidth / 2);

        _ballX += _ballSpeedX;
        if (_ballX < 0 || _ballX > 1)
        {
            _ballX = _ballX < 0 ? -_ballX : 2 - _ballX; // bounce off the wall
            _ballSpeedX = -_ballSpeedX;
        }

        _ballY -= 1f / FallTicks;
        if (_ballY > 0.0001f) // still falling (the margin absorbs float rounding)
        {
            return 0;
        }

        bool caught = MathF.Abs(_ballX - _paddleX) <= PaddleWidth / 2 + BallRadius;
        SpawnBall();
        return caught ? 1 : -1;
    }

    /// <summary>What the agent sees, each in about [−1, 1]: ball x relative to the paddle, ball height, ball sideways speed, paddle x.</summary>
    public void Observe(Span<float> x)
    {
        x[0] = 2 * (_ballX - _paddleX);
        x[1] = 2 * _ballY - 1;
        x[2] = _ballSpeedX / MaxBallSpeedX;
        x[3] = 2 * _paddleX - 1;
    }

    private void SpawnBall()
    {
        _ballX = (float)_random.NextDouble();
        _ballY = 1;
        _ballSpeedX = (float)((2 * _random.NextDouble() - 1) * MaxBallSpeedX);
    }
}
