using System;
using System.Text;

namespace Gen.Generator.Helpers;

/// <summary>Builds generated source line by line with four-space indentation and '\n' line endings.</summary>
internal sealed class IndentedTextWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    /// <summary>Writes one line at the current depth; an empty line has no trailing spaces.</summary>
    public IndentedTextWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _depth * 4).Append(line);
        }

        _text.Append('\n');
        return this;
    }

    /// <summary>Writes several lines, each at the current depth.</summary>
    public IndentedTextWriter Lines(string block)
    {
        foreach (string line in block.Split('\n'))
        {
            Line(line.TrimEnd('\r'));
        }

        return this;
    }

    /// <summary>Writes <paramref name="header"/>, an opening brace, and indents until the returned scope is disposed.</summary>
    public Scope Block(string header)
    {
        Line(header);
        return Open();
    }

    /// <summary>Writes an opening brace and indents until the returned scope is disposed, which writes <paramref name="close"/>.</summary>
    public Scope Open(string close = "}")
    {
        Line("{");
        _depth++;
        return new Scope(this, close);
    }

    public override string ToString() => _text.ToString();

    private void Close(string close)
    {
        _depth--;
        Line(close);
    }

    public readonly struct Scope : IDisposable
    {
        private readonly IndentedTextWriter _writer;
        private readonly string _close;

        public Scope(IndentedTextWriter writer, string close)
        {
            _writer = writer;
            _close = close;
        }

        public void Dispose() => _writer.Close(_close);
    }
}
