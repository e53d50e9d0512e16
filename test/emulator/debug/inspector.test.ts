import { expect } from 'chai';
import { isLoopback } from '../../../emulator/debug/inspector.ts';

describe('debug: the inspector’s address', () => {
  it('counts 127.0.0.0/8, ::1 and localhost as loopback: no warning for them', () => {
    expect(['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost'].filter(isLoopback)).to.have.length(5);
  });

  it('warns for any other interface, where the inspector would be remote code execution', () => {
    expect(['0.0.0.0', '::', '192.168.1.10', 'example.com'].filter(isLoopback)).to.deep.equal([]);
  });
});
