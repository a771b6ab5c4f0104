"""convproof.check and convproof.check_file: a true claim passes, a false
one raises an AssertionError that shows its counterexample, bad input is
a located ConvproofError."""
import os
import sys

import pytest

import convproof

TRUE_CLAIM = """
claim "the true convolution commutes" {
  dim M in 1..3
  tensor X[M]
  tensor W[M]
  show wide(rot180(W), X) == wide(rot180(X), W)
}
"""

# x + x == 3x fails at every nonzero x: the smallest counterexample is a
# single entry 1 (the shrinker's smallest magnitude), where 2 != 3.
FALSE_CLAIM = """
claim "doubling is tripling" {
  dim M in 1..2
  tensor X[M]
  show X + X == 3 * X
}
"""


def test_true_claim_passes():
    report = convproof.check(TRUE_CLAIM, seed=7)
    assert [c["outcome"] for c in report.claims] == ["passed"]
    assert report.summary["passed"] == 1 and report.summary["failed"] == 0
    assert report.seed == 7
    methods = {m["method"]: m["outcome"] for m in report.claims[0]["methods"]}
    assert methods["symbolic"] == "passed"


def test_false_claim_fails_with_its_counterexample():
    with pytest.raises(AssertionError) as info:
        convproof.check(FALSE_CLAIM, seed=7)
    err = info.value
    assert isinstance(err, convproof.ClaimFailed)
    message = str(err)
    assert 'FAIL "doubling is tripling"' in message
    assert "counterexample at M=1" in message
    assert "X = [1]" in message
    # the two sides at X = [1], by hand: 1 + 1 = 2 and 3 * 1 = 3
    assert "left side =\n        [2]" in message
    assert "right side =\n        [3]" in message
    claim = err.report.claims[0]
    assert claim["outcome"] == "failed"


def test_report_without_raising():
    report = convproof.check(FALSE_CLAIM, seed=3, raise_on_failure=False)
    assert report.summary["failed"] == 1
    assert not report.ok


def test_check_file(tmp_path):
    good = tmp_path / "good.proof"
    good.write_text(TRUE_CLAIM)
    report = convproof.check_file(good, seed=1)
    assert report.claims[0]["file"] == str(good)
    bad = tmp_path / "bad.proof"
    bad.write_text(TRUE_CLAIM + FALSE_CLAIM)
    with pytest.raises(convproof.ClaimFailed) as info:
        convproof.check_file(str(bad), seed=1)
    assert "1 of 2 claims not verified" in str(info.value)
    assert "doubling is tripling" in str(info.value)
    assert "commutes" not in str(info.value)


def test_syntax_error_is_located(tmp_path):
    path = tmp_path / "typo.proof"
    path.write_text('claim "t" {\n  tensor X[2]\n  show X +* X == X\n}\n')
    with pytest.raises(convproof.ConvproofError) as info:
        convproof.check_file(path)
    assert str(info.value).startswith(str(path) + ":3:")
    assert info.value.status == 2


def test_missing_file_and_unknown_option(tmp_path):
    with pytest.raises(convproof.ConvproofError, match="cannot read"):
        convproof.check_file(tmp_path / "absent.proof")
    with pytest.raises(convproof.ConvproofError, match="unknown method 'exakt'"):
        convproof.check(TRUE_CLAIM, methods=["exakt"])


def test_methods_option_runs_only_those():
    report = convproof.check(TRUE_CLAIM, seed=2, methods=["exact"])
    assert [m["method"] for m in report.claims[0]["methods"]] == ["exact"]
    # exact alone samples: TESTED, which strict=True refuses
    assert report.claims[0]["outcome"] == "tested"
    with pytest.raises(convproof.ClaimFailed):
        convproof.check(TRUE_CLAIM, seed=2, methods=["exact"], strict=True)


def test_a_proof_files_implementation_runs_in_its_folder(tmp_path):
    # the implementation block's command is relative to the proof file's
    # folder, as with `convproof check`: the shipped course adapter
    adapters = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            os.pardir, os.pardir, "adapters")
    (tmp_path / "adapter.py").write_text(
        "import runpy, sys\nsys.path.insert(0, %r)\n"
        "runpy.run_path(%r, run_name='__main__')\n"
        % (adapters, os.path.join(adapters, "numpy_course_adapter.py")))
    proof = tmp_path / "course.proof"
    proof.write_text(
        'implementation course = command "%s adapter.py" layout nhwc timeout 30\n'
        'claim "course conv is conv2d" {\n'
        '  dim H in 2..3\n'
        '  tensor X[1, 1, H, H] values -3..3\n'
        '  tensor W[1, 1, 2, 2] values -3..3\n'
        '  tensor b[1] values -3..3\n'
        '  show course.conv2d(X, W, b) == conv2d(X, W, b)\n'
        '  by exact(trials=1)\n'
        '}\n' % sys.executable)
    report = convproof.check_file(proof, seed=4)
    # only sampled: an implementation is TESTED at best
    assert report.claims[0]["outcome"] == "tested"
    assert report.claims[0]["methods"][0]["instances"] == 2
