// Gen.Unity holds no code. It exists for the generator beside it: Unity runs an analyzer or source generator
// that sits in an assembly definition's folder for that assembly and for every assembly that references it
// (Unity manual, "Analyzer scope and diagnostics"). Assembly-CSharp references Gen.Unity automatically (its
// "Auto Referenced" is on); an assembly with its own .asmdef adds Gen.Unity to its references. This file
// gives the assembly definition a script, so Unity compiles it and the reference is real.
