"""The cost of the layer stack on small ops: only autograd installed (the short
paths), under a pass-through layer (the general path), and under the profiler."""

import flambeau as fl
import flambeau.profiler as profiler


class PassThrough(fl.dispatcher.Layer):
    pass


class SmallOpsUnderLayers:
    params = ["autograd only", "pass-through layer", "profiler"]
    param_names = ["stack"]

    def setup(self, stack):
        self.a, self.b = fl.ones(16), fl.ones(16)
        self.g = fl.ones(16, requires_grad=True)
        self.ctx = {"autograd only": None, "pass-through layer": PassThrough(),
                    "profiler": None}[stack]
        if stack == "profiler":
            self.prof = profiler.profile()
            self.prof.start()
        elif self.ctx is not None:
            fl.dispatcher.push_layer(self.ctx)

    def teardown(self, stack):
        if stack == "profiler":
            self.prof.stop()
        elif self.ctx is not None:
            fl.dispatcher.pop_layer(self.ctx)

    def time_add(self, stack):
        self.a + self.b

    def time_record_add(self, stack):
        self.g + self.b

    def time_inplace_add(self, stack):
        self.a.add_(self.b)
