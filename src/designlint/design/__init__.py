"""The engineering design document: where it is (``locate``), its Markdown (``markdown``), the
contract it states (``contract``), and its checks and their report (``check``, ``show``)."""
