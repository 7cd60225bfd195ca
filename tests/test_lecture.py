"""`make lecture` prints the lecture's numbers, computed by the layers."""

from apps import lecture


def test_demo_prints_the_worked_examples(capsys):
    lecture.main()
    out = capsys.readouterr().out
    assert "-> [4, 4]  [12, 12]  [32, 32]" in out  # Elman
    assert "-> [4, 4]  [20, 20]  [88, 88]" in out  # Jordan
    lstm_rows = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()
                 and len(line.split()) == 6]
    assert [float(row[-1]) for row in lstm_rows] == [0, 0, 0, 0, 0, 7, 0, 0, 6]
    assert "1.01^1000 = 2.096e+04" in out and "0.99^1000 = 4.317e-05" in out
    assert "max |PeepholeLSTM - LSTM| = 0.0e+00" in out
