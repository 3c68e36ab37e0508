print("rnnlab: under construction")
